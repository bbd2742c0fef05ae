import ClusterClient

/// The controllers of the manager, by the names kube-controller-manager's `--controllers`
/// flag uses (and `ControllerManagerOptions.enabledControllers` takes).
public enum ControllerRegistry {
    public struct Entry: Sendable {
        public let name: String
        public let make: @Sendable (ControllerContext) -> any Controller
    }

    /// Every controller, in start order.
    public static let all: [Entry] = workloadControllers + infrastructureControllers

    public static var names: [String] { all.map(\.name) }

    // TODO(workloads): the workload controllers join here once their types exist:
    // replicationcontroller → ReplicationControllerController, replicaset → ReplicaSetController,
    // deployment → DeploymentController, statefulset → StatefulSetController,
    // daemonset → DaemonSetController, job → JobController, cronjob → CronJobController.
    static let workloadControllers: [Entry] = []

    static let infrastructureControllers: [Entry] = [
        Entry(name: "endpoints") { EndpointsController(context: $0) },
        Entry(name: "endpointslice") { EndpointSliceController(context: $0) },
        Entry(name: "namespace") { NamespaceController(context: $0) },
        Entry(name: "garbagecollector") { GarbageCollector(context: $0) },
        Entry(name: "podgc") { PodGCController(context: $0) },
        Entry(name: "serviceaccount") { ServiceAccountController(context: $0) },
        Entry(name: "disruption") { DisruptionController(context: $0) },
        Entry(name: "nodelifecycle") { NodeLifecycleController(context: $0) },
        Entry(name: "nodeipam") { NodeIPAMController(context: $0) },
    ]
}
