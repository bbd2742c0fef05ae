import ClusterClient
import Logging

/// Rolls Deployments out through ReplicaSets (being written).
public final class DeploymentController: Controller {
    public let name = "deployment-controller"
    private let context: ControllerContext

    public init(context: ControllerContext) {
        self.context = context
    }

    public func run(workers: Int) async {}
}
