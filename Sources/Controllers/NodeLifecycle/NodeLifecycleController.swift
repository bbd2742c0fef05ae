import ClusterClient
import Logging

/// Placeholder until the reconciler lands.
public final class NodeLifecycleController: Controller {
    public let name = "node-controller"
    let context: ControllerContext

    public init(context: ControllerContext) {
        self.context = context
    }

    public func run(workers: Int) async {}
}
