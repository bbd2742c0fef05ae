/// The three queues of kube-scheduler: active (ready to try, highest priority first, then
/// the earliest enqueued), backoff (failed recently; waits 1 s doubling to 10 s per
/// attempt) and unschedulable (waits for a cluster event that could make it fit, or
/// `maxInUnschedulable` at most). Plain value owned by the scheduling loop; times are
/// passed in so tests control the clock.
struct SchedulingQueue: Sendable {
    typealias Instant = ContinuousClock.Instant

    struct Entry: Sendable {
        var pod: PodInfo
        /// When it entered the active queue (its place among equal priorities).
        var timestamp: Instant
        var attempts: Int
        /// When it last failed (backoff and the unschedulable flush count from here).
        var lastFailure: Instant?
        /// Matches the heap item that is current for this pod.
        var sequence: UInt64 = 0
    }

    let initialBackoff: Duration
    let maxBackoff: Duration
    let maxInUnschedulable: Duration

    private var active: [String: Entry] = [:]
    private var activeOrder = ActiveHeap()
    private var nextSequence: UInt64 = 0
    private var backoff: [String: Entry] = [:]
    private var unschedulable: [String: Entry] = [:]
    /// Pods popped and being scheduled or bound: an update for them is remembered here.
    private var inFlight: [String: Entry] = [:]
    /// Incremented per pop; a move request during a cycle sends its failed pod to backoff
    /// instead of unschedulable (the event may have made it fit).
    private(set) var schedulingCycle = 0
    private var moveRequestCycle = -1

    init(initialBackoff: Duration = .seconds(1), maxBackoff: Duration = .seconds(10), maxInUnschedulable: Duration = .seconds(300)) {
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxInUnschedulable = maxInUnschedulable
    }

    var activeCount: Int { active.count }
    var backoffCount: Int { backoff.count }
    var unschedulableCount: Int { unschedulable.count }
    func contains(_ key: String) -> Bool { active[key] != nil || backoff[key] != nil || unschedulable[key] != nil || inFlight[key] != nil }

    /// Pods nominated to a node by preemption and still waiting.
    var nominatedPods: [PodInfo] {
        (Array(active.values) + Array(backoff.values) + Array(unschedulable.values)).map(\.pod).filter { !$0.nominatedNodeName.isEmpty }
    }

    /// A new pending pod.
    mutating func add(_ pod: PodInfo, now: Instant) {
        if update(pod) { return }
        insertActive(Entry(pod: pod, timestamp: now, attempts: 0, lastFailure: nil))
    }

    /// Replaces the pod wherever it waits; an unschedulable pod whose spec changed gets
    /// another try. Returns whether the pod was known.
    @discardableResult
    mutating func update(_ pod: PodInfo, now: Instant? = nil) -> Bool {
        if let entry = active[pod.key] {
            var updated = entry
            updated.pod = pod
            // A changed priority changes the pod's place.
            if entry.pod.priority != pod.priority { insertActive(updated) } else { active[pod.key] = updated }
            return true
        }
        if backoff[pod.key] != nil { backoff[pod.key]?.pod = pod; return true }
        if inFlight[pod.key] != nil { inFlight[pod.key]?.pod = pod; return true }
        if var entry = unschedulable.removeValue(forKey: pod.key) {
            entry.pod = pod
            if let now { requeue(entry, now: now) } else { unschedulable[pod.key] = entry }
            return true
        }
        return false
    }

    mutating func delete(key: String) {
        active[key] = nil
        backoff[key] = nil
        unschedulable[key] = nil
        inFlight[key] = nil
    }

    /// The next pod to schedule: highest priority, then longest waiting.
    mutating func pop(now: Instant) -> PodInfo? {
        flushBackoff(now: now)
        flushUnschedulable(now: now)
        var found: Entry?
        while let item = activeOrder.popFirst() {
            if let entry = active[item.key], entry.sequence == item.sequence {
                found = entry
                break
            }
        }
        guard var entry = found else { return nil }
        active[entry.pod.key] = nil
        entry.attempts += 1
        inFlight[entry.pod.key] = entry
        schedulingCycle += 1
        return entry.pod
    }

    private mutating func insertActive(_ entry: Entry) {
        var entry = entry
        nextSequence += 1
        entry.sequence = nextSequence
        active[entry.pod.key] = entry
        activeOrder.push(.init(key: entry.pod.key, priority: entry.pod.priority, timestamp: entry.timestamp, sequence: entry.sequence))
    }

    /// The pod was bound (or dropped): forget it.
    mutating func done(key: String) { inFlight[key] = nil }

    /// The pod did not fit. `cycle` is the scheduling cycle it was popped in.
    mutating func addUnschedulable(key: String, cycle: Int, now: Instant) {
        guard var entry = inFlight.removeValue(forKey: key) else { return }
        entry.lastFailure = now
        if moveRequestCycle >= cycle {
            backoff[key] = entry
        } else {
            unschedulable[key] = entry
        }
    }

    /// The pod failed for a reason other than fit (an API error): retry after its backoff.
    mutating func addBackoff(key: String, now: Instant) {
        guard var entry = inFlight.removeValue(forKey: key) else { return }
        entry.lastFailure = now
        backoff[key] = entry
    }

    /// A cluster event (node added or changed, a pod deleted, a bound pod changed) may let
    /// unschedulable pods fit: move them to backoff (if still backing off) or active.
    mutating func moveAllToActiveOrBackoff(now: Instant) {
        for (_, entry) in unschedulable { requeue(entry, now: now) }
        unschedulable.removeAll(keepingCapacity: true)
        moveRequestCycle = schedulingCycle
    }

    func backoffDuration(attempts: Int) -> Duration {
        var duration = initialBackoff
        var remaining = attempts - 1
        while remaining > 0 && duration < maxBackoff {
            duration = duration * 2
            remaining -= 1
        }
        return min(duration, maxBackoff)
    }

    func backoffExpiry(_ entry: Entry) -> Instant? {
        entry.lastFailure.map { $0 + backoffDuration(attempts: entry.attempts) }
    }

    /// When the next backoff expires or unschedulable flush is due: how long the loop may sleep.
    func nextWakeUp() -> Instant? {
        let backoffs = backoff.values.compactMap { backoffExpiry($0) }
        let flushes = unschedulable.values.compactMap { $0.lastFailure.map { $0 + maxInUnschedulable } }
        return (backoffs + flushes).min()
    }

    private mutating func requeue(_ entry: Entry, now: Instant) {
        var entry = entry
        if let expiry = backoffExpiry(entry), expiry > now {
            backoff[entry.pod.key] = entry
        } else {
            entry.timestamp = now
            insertActive(entry)
        }
    }

    private mutating func flushBackoff(now: Instant) {
        guard !backoff.isEmpty else { return }
        for (key, entry) in backoff {
            if let expiry = backoffExpiry(entry), expiry > now { continue }
            backoff[key] = nil
            var moved = entry
            moved.timestamp = now
            insertActive(moved)
        }
    }

    private mutating func flushUnschedulable(now: Instant) {
        guard !unschedulable.isEmpty else { return }
        for (key, entry) in unschedulable {
            guard let failed = entry.lastFailure, now - failed >= maxInUnschedulable else { continue }
            unschedulable[key] = nil
            requeue(entry, now: now)
        }
    }
}
