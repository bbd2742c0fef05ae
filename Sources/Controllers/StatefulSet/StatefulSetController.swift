import ClusterClient
import Logging

/// Runs StatefulSets' ordinal pods and their claims (being written).
public final class StatefulSetController: Controller {
    public let name = "statefulset-controller"
    private let context: ControllerContext

    public init(context: ControllerContext) {
        self.context = context
    }

    public func run(workers: Int) async {}
}
