import ClusterClient
import Logging

/// Placeholder until the reconciler lands.
public final class GarbageCollector: Controller {
    public let name = "garbage-collector"
    let context: ControllerContext

    public init(context: ControllerContext) {
        self.context = context
    }

    public func run(workers: Int) async {}
}
