import ClusterClient
import Logging

/// Runs one pod of a DaemonSet per eligible node (being written).
public final class DaemonSetController: Controller {
    public let name = "daemonset-controller"
    private let context: ControllerContext

    public init(context: ControllerContext) {
        self.context = context
    }

    public func run(workers: Int) async {}
}
