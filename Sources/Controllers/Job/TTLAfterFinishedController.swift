import ClusterClient
import Logging

/// Deletes finished Jobs once their ttlSecondsAfterFinished has passed (being written).
public final class TTLAfterFinishedController: Controller {
    public let name = "ttl-after-finished-controller"
    private let context: ControllerContext

    public init(context: ControllerContext) {
        self.context = context
    }

    public func run(workers: Int) async {}
}
