import ClusterClient
import Logging

/// Keeps the number of pods a ReplicaSet selects at its replicas (being written).
public final class ReplicaSetController: Controller {
    public let name = "replicaset-controller"
    private let context: ControllerContext

    public init(context: ControllerContext) {
        self.context = context
    }

    public func run(workers: Int) async {}
}
