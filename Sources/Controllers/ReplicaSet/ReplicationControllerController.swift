import ClusterClient
import Logging

/// The ReplicaSet algorithm for the older ReplicationController kind, whose selector is a
/// plain label map.
public final class ReplicationControllerController: Controller {
    public let name = "replicationcontroller-controller"
    private let manager: ReplicaManager

    public init(context: ControllerContext) {
        manager = ReplicaManager(context: context, resource: .replicationControllers,
                                 component: "replication-controller",
                                 selectorOf: { WorkloadSelector.ofReplicationController($0) })
    }

    public func run(workers: Int) async { await manager.run(workers: workers) }
}
