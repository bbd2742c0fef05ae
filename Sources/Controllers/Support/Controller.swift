import ClusterClient
import Logging

/// One reconciler of the controller manager: it registers informer handlers in `init`
/// (through the shared `InformerFactory` of its `ControllerContext`) and runs its workers in
/// `run` until the task is cancelled.
public protocol Controller: Sendable {
    /// `replicaset-controller`, `garbage-collector`, … (also the event source).
    var name: String { get }
    /// Runs `workers` concurrent reconcile loops until cancelled. The informers are started
    /// by the manager; `run` waits for the ones it uses to sync before reconciling.
    func run(workers: Int) async
}

/// What every controller is built from: one client, the process's shared informers, an
/// event recorder per controller, a logger, and the manager's options.
public struct ControllerContext: Sendable {
    public let client: ClusterClient
    public let informers: InformerFactory
    public let options: ControllerManagerOptions
    public let logger: Logger

    public init(client: ClusterClient, informers: InformerFactory, options: ControllerManagerOptions, logger: Logger) {
        self.client = client
        self.informers = informers
        self.options = options
        self.logger = logger
    }

    /// An event recorder whose source component is `component`.
    public func eventRecorder(component: String) -> EventRecorder {
        EventRecorder(client: client, component: component, logger: logger)
    }
}

/// Settings of the controller manager (kube-controller-manager's flags of the same meaning).
public struct ControllerManagerOptions: Sendable {
    /// Node IPAM: the cluster's pod CIDR, split into one `/nodeCIDRMaskSize` per node.
    public var clusterCIDR: String
    public var nodeCIDRMaskSize: Int
    /// Node lifecycle: a node whose Lease is older than this is `Ready=Unknown`.
    public var nodeMonitorGracePeriod: Duration
    /// Workers per controller.
    public var concurrentSyncs: Int
    /// Pod GC: terminated pods kept before the oldest are deleted.
    public var terminatedPodGCThreshold: Int
    /// Names of controllers to run; nil runs all.
    public var enabledControllers: Set<String>?

    public init(clusterCIDR: String = "10.42.0.0/16", nodeCIDRMaskSize: Int = 24,
                nodeMonitorGracePeriod: Duration = .seconds(40), concurrentSyncs: Int = 5,
                terminatedPodGCThreshold: Int = 12_500, enabledControllers: Set<String>? = nil) {
        self.clusterCIDR = clusterCIDR
        self.nodeCIDRMaskSize = nodeCIDRMaskSize
        self.nodeMonitorGracePeriod = nodeMonitorGracePeriod
        self.concurrentSyncs = concurrentSyncs
        self.terminatedPodGCThreshold = terminatedPodGCThreshold
        self.enabledControllers = enabledControllers
    }
}
