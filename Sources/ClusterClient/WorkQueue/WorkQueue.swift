/// Per-item retry delays: exponential from `base` to `maximum` per item, combined with an
/// overall token bucket (client-go's default controller rate limiter: 5 ms → 1000 s,
/// 10 qps / burst 100).
public struct RateLimiterConfiguration: Sendable, Hashable {
    public var baseDelay: Duration
    public var maximumDelay: Duration
    public var queriesPerSecond: Double
    public var burst: Int

    public init(baseDelay: Duration = .milliseconds(5), maximumDelay: Duration = .seconds(1000),
                queriesPerSecond: Double = 10, burst: Int = 100) {
        self.baseDelay = baseDelay
        self.maximumDelay = maximumDelay
        self.queriesPerSecond = queriesPerSecond
        self.burst = burst
    }
}

/// A controller's queue of keys to reconcile (client-go's rate-limited work queue): a key
/// added many times while waiting is processed once; a key being processed is not handed to
/// a second worker, and if added meanwhile is processed again after `done`; `addRateLimited`
/// retries with per-item exponential backoff until `forget`.
public actor WorkQueue<Key: Hashable & Sendable> {
    public let name: String
    let rateLimiter: RateLimiterConfiguration
    private let bucket: TokenBucket

    /// Keys ready to be handed out, in order.
    private var queue: [Key] = []
    private var queueHead = 0
    /// Keys that need processing (queued, or to be queued again when their processing ends).
    private var dirty: Set<Key> = []
    /// Keys a worker holds between `get` and `done`.
    private var processing: Set<Key> = []
    /// Delayed adds: the earliest instant each key becomes ready.
    private var waitingUntil: [Key: ContinuousClock.Instant] = [:]
    private var timers: [Key: Task<Void, Never>] = [:]
    /// Consecutive rate-limited adds per key since its last `forget`.
    private var failures: [Key: Int] = [:]
    private var waiters: [(id: Int, continuation: CheckedContinuation<Key?, Never>)] = []
    private var nextWaiterID = 0
    private var shuttingDown = false

    public init(name: String, rateLimiter: RateLimiterConfiguration = RateLimiterConfiguration()) {
        self.name = name
        self.rateLimiter = rateLimiter
        self.bucket = TokenBucket(queriesPerSecond: rateLimiter.queriesPerSecond, burst: rateLimiter.burst)
    }

    public func add(_ key: Key) {
        guard !shuttingDown, dirty.insert(key).inserted else { return }
        if processing.contains(key) { return }
        queue.append(key)
        handOut()
    }

    /// Adds `key` once `delay` has passed (at the earliest requested instant if added again).
    public func add(_ key: Key, after delay: Duration) {
        guard !shuttingDown else { return }
        guard delay > .zero else {
            add(key)
            return
        }
        let readyAt = ContinuousClock.now + delay
        if let existing = waitingUntil[key], existing <= readyAt { return }
        waitingUntil[key] = readyAt
        timers[key]?.cancel()
        timers[key] = Task { [weak self] in
            do { try await Task.sleep(until: readyAt, clock: .continuous) } catch { return }
            await self?.timerFired(key, readyAt: readyAt)
        }
    }

    private func timerFired(_ key: Key, readyAt: ContinuousClock.Instant) {
        guard waitingUntil[key] == readyAt else { return }
        waitingUntil[key] = nil
        timers[key] = nil
        add(key)
    }

    /// Adds `key` after its backoff: the larger of its exponential per-item delay
    /// (`baseDelay · 2^requeues`, at most `maximumDelay`) and the overall token bucket's.
    public func addRateLimited(_ key: Key) {
        let requeues = failures[key, default: 0]
        failures[key] = requeues + 1
        add(key, after: max(itemDelay(requeues: requeues), bucket.reserve()))
    }

    func itemDelay(requeues: Int) -> Duration {
        // 2^requeues overflows quickly; past ~60 doublings every base is above any maximum.
        guard requeues < 62 else { return rateLimiter.maximumDelay }
        let delay = rateLimiter.baseDelay * Double(UInt64(1) << UInt64(requeues))
        return min(delay, rateLimiter.maximumDelay)
    }

    /// Clears the item's backoff (after a successful reconcile).
    public func forget(_ key: Key) {
        failures[key] = nil
    }

    public func numRequeues(_ key: Key) -> Int { failures[key, default: 0] }

    /// The next key, waiting while the queue is empty; nil once shut down and drained.
    public func get() async -> Key? {
        if let key = popReady() { return key }
        if shuttingDown { return nil }
        nextWaiterID += 1
        let id = nextWaiterID
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Key?, Never>) in
                if Task.isCancelled {
                    continuation.resume(returning: nil)
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(returning: nil)
    }

    /// Ends the processing of `key`; if it was added meanwhile it is queued again.
    public func done(_ key: Key) {
        guard processing.remove(key) != nil else { return }
        if dirty.contains(key) {
            queue.append(key)
            handOut()
        }
    }

    /// No more adds; workers get what is queued, then nil.
    public func shutDown() {
        shuttingDown = true
        for timer in timers.values { timer.cancel() }
        timers = [:]
        waitingUntil = [:]
        handOut()
        let idle = waiters
        waiters = []
        for waiter in idle { waiter.continuation.resume(returning: nil) }
    }

    public var isShuttingDown: Bool { shuttingDown }

    /// Keys ready now (not counting those being processed or waiting out a delay).
    public var count: Int { queue.count - queueHead }

    private func popReady() -> Key? {
        guard queueHead < queue.count else { return nil }
        let key = queue[queueHead]
        queueHead += 1
        if queueHead == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueHead = 0
        } else if queueHead > 1024, queueHead * 2 > queue.count {
            queue.removeFirst(queueHead)
            queueHead = 0
        }
        dirty.remove(key)
        processing.insert(key)
        return key
    }

    /// Gives ready keys to waiting workers.
    private func handOut() {
        while !waiters.isEmpty, let key = popReady() {
            waiters.removeFirst().continuation.resume(returning: key)
        }
    }
}

extension WorkQueue {
    /// The per-item delay after `requeues` rate-limited adds (for tests and metrics).
    public func itemDelayForTest(requeues: Int) -> Duration { itemDelay(requeues: requeues) }
}
