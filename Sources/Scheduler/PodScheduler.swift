import APIModel
import ClusterClient
import Logging

/// The scheduler: watches pods without a node, picks a node for each through the filter and
/// score plugins, preempts lower-priority pods when nothing fits, and binds.
public final class PodScheduler: Sendable {
    public let options: SchedulerOptions
    let client: ClusterClient
    let informers: InformerFactory
    let logger: Logger

    public init(client: ClusterClient, informers: InformerFactory, options: SchedulerOptions = .init(), logger: Logger) {
        self.client = client
        self.informers = informers
        self.options = options
        self.logger = logger
    }

    /// Schedules until the task is cancelled.
    public func run() async {}
}
