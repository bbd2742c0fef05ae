import ClusterClient
import Logging

/// Keeps the number of pods a ReplicaSet selects at `spec.replicas` and reports them in its
/// status (replicas, fullyLabeledReplicas, readyReplicas, availableReplicas).
public final class ReplicaSetController: Controller {
    public let name = "replicaset-controller"
    private let manager: ReplicaManager

    public init(context: ControllerContext) {
        manager = ReplicaManager(context: context, resource: .replicaSets, component: "replicaset-controller",
                                 selectorOf: WorkloadSelector.of)
    }

    public func run(workers: Int) async { await manager.run(workers: workers) }
}
