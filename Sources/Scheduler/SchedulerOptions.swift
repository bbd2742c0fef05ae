/// How a `PodScheduler` behaves. The defaults are kube-scheduler's.
public struct SchedulerOptions: Sendable {
    /// Only pods whose `spec.schedulerName` equals this are scheduled (and events carry it
    /// as their source).
    public var schedulerName: String
    /// How many binding calls may be in flight at once. The scheduling cycle is serial; the
    /// binding cycles run in parallel so one slow API call does not stall the queue.
    public var bindConcurrency: Int
    /// The first backoff of a pod that failed to schedule; doubled per attempt up to
    /// `podMaxBackoff`.
    public var podInitialBackoff: Duration
    public var podMaxBackoff: Duration
    /// An unschedulable pod that no cluster event has moved is retried after this long.
    public var podMaxInUnschedulablePodsDuration: Duration
    /// Percentage of the nodes to find feasible before scoring stops looking. nil means
    /// adaptive as Kubernetes: 50% minus 1% per 125 nodes, never below 5%; with at least
    /// 100 feasible nodes searched in any case.
    public var percentageOfNodesToScore: Int?
    /// Whether a pod that fits nowhere may evict lower-priority pods.
    public var preemptionEnabled: Bool
    /// Whether the Normal `Scheduled` event is recorded for every bound pod.
    public var recordScheduledEvents: Bool

    public init(schedulerName: String = "default-scheduler", bindConcurrency: Int = 16,
                podInitialBackoff: Duration = .seconds(1), podMaxBackoff: Duration = .seconds(10),
                podMaxInUnschedulablePodsDuration: Duration = .seconds(300),
                percentageOfNodesToScore: Int? = nil, preemptionEnabled: Bool = true,
                recordScheduledEvents: Bool = true) {
        self.schedulerName = schedulerName
        self.bindConcurrency = bindConcurrency
        self.podInitialBackoff = podInitialBackoff
        self.podMaxBackoff = podMaxBackoff
        self.podMaxInUnschedulablePodsDuration = podMaxInUnschedulablePodsDuration
        self.percentageOfNodesToScore = percentageOfNodesToScore
        self.preemptionEnabled = preemptionEnabled
        self.recordScheduledEvents = recordScheduledEvents
    }
}
