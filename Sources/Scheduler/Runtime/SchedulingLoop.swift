import APIModel
import ClusterClient
import Logging

/// The serial scheduling cycle and everything it owns: the cache, the queue and the
/// algorithm. Binding and reporting run as child tasks (at most `bindConcurrency` bindings
/// in flight), as kube-scheduler's binding cycles do.
struct SchedulingLoop {
    let options: SchedulerOptions
    let inbox: SchedulerInbox
    let writes: SchedulerWrites
    let priorityOf: @Sendable (String?) -> Int64
    let budgets: @Sendable () -> [DisruptionBudget]
    let logger: Logger

    var cache = SchedulerCache()
    var queue: SchedulingQueue
    var algorithm: SchedulingAlgorithm
    var bindingsInFlight = 0

    init(options: SchedulerOptions, inbox: SchedulerInbox, writes: SchedulerWrites,
         priorityOf: @escaping @Sendable (String?) -> Int64, budgets: @escaping @Sendable () -> [DisruptionBudget], logger: Logger) {
        self.options = options
        self.inbox = inbox
        self.writes = writes
        self.priorityOf = priorityOf
        self.budgets = budgets
        self.logger = logger
        queue = SchedulingQueue(initialBackoff: options.podInitialBackoff, maxBackoff: options.podMaxBackoff,
                                maxInUnschedulable: options.podMaxInUnschedulablePodsDuration)
        algorithm = SchedulingAlgorithm(percentageOfNodesToScore: options.percentageOfNodesToScore)
    }

    mutating func run(_ group: inout DiscardingTaskGroup) async {
        while !Task.isCancelled {
            apply(inbox.drain(), group: &group)
            if bindingsInFlight < max(1, options.bindConcurrency), let pod = queue.pop(now: .now) {
                scheduleOne(pod, group: &group)
                continue
            }
            await inbox.wait(until: bindingsInFlight >= max(1, options.bindConcurrency) ? nil : queue.nextWakeUp())
        }
    }

    // MARK: Cluster events

    mutating func apply(_ events: [SchedulerEvent], group: inout DiscardingTaskGroup) {
        guard !events.isEmpty else { return }
        let now = ContinuousClock.now
        for event in events {
            switch event {
            case .nodeAdded(let object), .nodeUpdated(let object):
                do {
                    cache.addOrUpdateNode(try NodeInfo(node: object))
                    queue.moveAllToActiveOrBackoff(now: now)
                } catch {
                    logger.warning("ignoring a node the scheduler cannot read", metadata: ["node": "\(object.name)", "error": "\(error)"])
                }
            case .nodeDeleted(let object):
                cache.removeNode(named: object.name)
            case .namespaceChanged(let object, let deleted):
                cache.namespaceLabels[object.name] = deleted ? nil : object.labels
            case .podAdded(let object), .podUpdated(let object):
                podChanged(object, now: now, group: &group)
            case .podDeleted(let object):
                let key = (object.namespace ?? "default") + "/" + object.name
                queue.delete(key: key)
                if cache.nodeName(ofPod: key) != nil {
                    cache.removePod(key: key)
                    queue.moveAllToActiveOrBackoff(now: now)
                }
            case .bindingFinished(let key, let error, let notFound):
                bindingsInFlight -= 1
                if error == nil {
                    queue.done(key: key)
                } else {
                    cache.forget(podKey: key)
                    if notFound { queue.delete(key: key) } else { queue.addBackoff(key: key, now: now) }
                }
            }
        }
    }

    private mutating func podChanged(_ object: JSONValue, now: ContinuousClock.Instant, group: inout DiscardingTaskGroup) {
        let key = (object.namespace ?? "default") + "/" + object.name
        let nodeName = object["spec"]?["nodeName"]?.stringValue ?? ""
        let phase = object["status"]?["phase"]?.stringValue ?? ""
        if !nodeName.isEmpty {
            queue.delete(key: key)
            if phase == "Succeeded" || phase == "Failed" {
                cache.removePod(key: key)
            } else if let info = try? PodInfo(object, priority: priorityOf) {
                cache.addOrUpdateBoundPod(info)
            }
            queue.moveAllToActiveOrBackoff(now: now)
            return
        }
        // Pending: ours, not being deleted, and not already assumed onto a node.
        guard object["spec"]?["schedulerName"]?.stringValue ?? "default-scheduler" == options.schedulerName,
              !object.isBeingDeleted, phase != "Succeeded", phase != "Failed", cache.nodeName(ofPod: key) == nil else {
            if object.isBeingDeleted { queue.delete(key: key) }
            return
        }
        do {
            let info = try PodInfo(object, priority: priorityOf)
            if queue.contains(key) { queue.update(info, now: now) } else { queue.add(info, now: now) }
        } catch {
            queue.delete(key: key)
            let writes = self.writes
            let message = "the pod cannot be scheduled: \(error)"
            guard let bare = try? PodInfo(["metadata": object["metadata"] ?? nil, "status": object["status"] ?? nil]) else { return }
            group.addTask { await writes.reportUnschedulable(bare, message: message, nominatedNode: nil) }
        }
    }

    // MARK: One cycle

    mutating func scheduleOne(_ pod: PodInfo, group: inout DiscardingTaskGroup) {
        let cycle = queue.schedulingCycle
        switch algorithm.schedule(pod, cache: cache) {
        case .success(let node):
            cache.assume(pod, on: node)
            bindingsInFlight += 1
            let writes = self.writes
            let inbox = self.inbox
            group.addTask {
                let outcome = await writes.bind(pod, to: node)
                inbox.post(.bindingFinished(podKey: pod.key, error: outcome.error, notFound: outcome.notFound))
            }
        case .failure(var failure):
            var nominated: String?
            if options.preemptionEnabled && failure.numAllNodes > 0 {
                switch Preemptor.preempt(pod, cache: cache, failure: failure, budgets: budgets()) {
                case .preempt(let candidate):
                    nominated = candidate.nodeName
                    let writes = self.writes
                    group.addTask { await writes.evict(candidate.victims, for: pod, on: candidate.nodeName) }
                case .none(let message):
                    failure.preemptionMessage = message
                }
            }
            queue.addUnschedulable(key: pod.key, cycle: cycle, now: .now)
            let writes = self.writes
            let message = failure.message
            logger.debug("pod is unschedulable", metadata: ["pod": "\(pod.key)", "reason": "\(message)"])
            group.addTask { await writes.reportUnschedulable(pod, message: message, nominatedNode: nominated) }
        }
    }
}
