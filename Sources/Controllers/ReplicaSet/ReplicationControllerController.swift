import ClusterClient
import Logging

/// Keeps the number of pods a ReplicationController selects at its replicas (being written).
public final class ReplicationControllerController: Controller {
    public let name = "replicationcontroller-controller"
    private let context: ControllerContext

    public init(context: ControllerContext) {
        self.context = context
    }

    public func run(workers: Int) async {}
}
