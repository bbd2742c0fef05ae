import ClusterClient
import Logging

/// Placeholder until the reconciler lands.
public final class NodeIPAMController: Controller {
    public let name = "node-ipam-controller"
    let context: ControllerContext

    public init(context: ControllerContext) {
        self.context = context
    }

    public func run(workers: Int) async {}
}
