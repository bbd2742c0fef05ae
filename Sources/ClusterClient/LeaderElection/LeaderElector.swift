import Logging

/// Timings of leader election, Kubernetes' defaults.
public struct LeaderElectionTimings: Sendable, Hashable {
    public var leaseDuration: Duration
    public var renewDeadline: Duration
    public var retryPeriod: Duration

    public init(leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10),
                retryPeriod: Duration = .seconds(2)) {
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
    }
}

/// Leader election on a `coordination.k8s.io/v1` Lease (client-go's leaderelection): the
/// holder renews every `retryPeriod`; a candidate takes the lease once it has not been
/// renewed for `leaseDuration`; a leader that cannot renew within `renewDeadline` stops
/// leading. With several `skiff server`s exactly one scheduler and one controller manager act.
public struct LeaderElector: Sendable {
    public let leaseNamespace: String
    public let leaseName: String
    public let identity: String
    public let timings: LeaderElectionTimings

    public init(client: ClusterClient, leaseNamespace: String = "kube-system", leaseName: String, identity: String,
                timings: LeaderElectionTimings = LeaderElectionTimings(), logger: Logger? = nil) {
        self.leaseNamespace = leaseNamespace
        self.leaseName = leaseName
        self.identity = identity
        self.timings = timings
    }

    /// Campaigns until leader, then runs `lead` in a child task; when leadership is lost,
    /// `lead` is cancelled and campaigning starts again. Returns when the calling task is
    /// cancelled (releasing the lease if held, so a successor need not wait out the lease).
    public func run(lead: @escaping @Sendable () async -> Void) async {}
}
