import APIModel
import ClusterClient
import Logging

/// The scheduler: watches pods without a node, picks a node for each through the filter and
/// score plugins, preempts lower-priority pods when nothing fits, and binds through
/// `pods/binding`. `run` starts the informers it uses (pods, nodes, namespaces,
/// PodDisruptionBudgets, PriorityClasses) through the factory.
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
    public func run() async {
        let inbox = SchedulerInbox()
        let pods = informers.informer(for: .pods)
        let nodes = informers.informer(for: .nodes)
        let namespaces = informers.informer(for: .namespaces)
        let budgets = informers.informer(for: .podDisruptionBudgets)
        let priorityClasses = informers.informer(for: .priorityClasses)
        pods.addHandler(InformerHandler(onAdd: { inbox.post(.podAdded($0)) }, onUpdate: { inbox.post(.podUpdated($1)) },
                                        onDelete: { inbox.post(.podDeleted($0)) }))
        nodes.addHandler(InformerHandler(onAdd: { inbox.post(.nodeAdded($0)) }, onUpdate: { inbox.post(.nodeUpdated($1)) },
                                         onDelete: { inbox.post(.nodeDeleted($0)) }))
        namespaces.addHandler(InformerHandler(onAdd: { inbox.post(.namespaceChanged($0, deleted: false)) },
                                              onUpdate: { inbox.post(.namespaceChanged($1, deleted: false)) },
                                              onDelete: { inbox.post(.namespaceChanged($0, deleted: true)) }))
        let recorder = EventRecorder(client: client, component: options.schedulerName, logger: logger)
        let writes = SchedulerWrites(client: client, recorder: recorder, recordScheduledEvents: options.recordScheduledEvents,
                                     logger: logger)
        let priorityOf: @Sendable (String?) -> Int64 = { className in
            Self.priority(className: className, classes: priorityClasses.list())
        }
        let budgetList: @Sendable () -> [DisruptionBudget] = { budgets.list().compactMap(DisruptionBudget.init(json:)) }
        let factory = informers
        let logger = self.logger
        let options = self.options
        await withDiscardingTaskGroup { group in
            group.addTask { await factory.run() }
            // Priorities and budgets must be known before the first pod is judged.
            await priorityClasses.waitForSync()
            await budgets.waitForSync()
            await nodes.waitForSync()
            await pods.waitForSync()
            guard !Task.isCancelled else { return }
            logger.info("scheduler started", metadata: ["schedulerName": "\(options.schedulerName)"])
            var loop = SchedulingLoop(options: options, inbox: inbox, writes: writes, priorityOf: priorityOf,
                                      budgets: budgetList, logger: logger)
            await loop.run(&group)
            group.cancelAll()
        }
        await recorder.flush()
    }

    /// A pod without `spec.priority`: its class's value, else the global default class's,
    /// else 0 (what the Priority admission plugin would have written).
    static func priority(className: String?, classes: [JSONValue]) -> Int64 {
        if let className, !className.isEmpty {
            return classes.first { $0.name == className }?["value"]?.intValue ?? 0
        }
        return classes.first { $0["globalDefault"]?.boolValue == true }?["value"]?.intValue ?? 0
    }
}
