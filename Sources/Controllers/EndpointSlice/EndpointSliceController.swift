import ClusterClient
import Logging

/// Placeholder until the reconciler lands.
public final class EndpointSliceController: Controller {
    public let name = "endpointslice-controller"
    let context: ControllerContext

    public init(context: ControllerContext) {
        self.context = context
    }

    public func run(workers: Int) async {}
}
