import ClusterClient
import Logging

/// Placeholder until the reconciler lands.
public final class EndpointsController: Controller {
    public let name = "endpoint-controller"
    let context: ControllerContext

    public init(context: ControllerContext) {
        self.context = context
    }

    public func run(workers: Int) async {}
}
