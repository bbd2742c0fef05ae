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

    static let workloadControllers: [Entry] = [
        Entry(name: "replicationcontroller") { ReplicationControllerController(context: $0) },
        Entry(name: "replicaset") { ReplicaSetController(context: $0) },
        Entry(name: "deployment") { DeploymentController(context: $0) },
        Entry(name: "statefulset") { StatefulSetController(context: $0) },
        Entry(name: "daemonset") { DaemonSetController(context: $0) },
        Entry(name: "job") { JobController(context: $0) },
        Entry(name: "cronjob") { CronJobController(context: $0) },
        Entry(name: "ttl-after-finished") { TTLAfterFinishedController(context: $0) },
    ]

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
