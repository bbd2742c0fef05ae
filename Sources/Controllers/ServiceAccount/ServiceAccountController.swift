import ClusterClient
import Logging

/// Placeholder until the reconciler lands.
public final class ServiceAccountController: Controller {
    public let name = "service-account-controller"
    let context: ControllerContext

    public init(context: ControllerContext) {
        self.context = context
    }

    public func run(workers: Int) async {}
}
