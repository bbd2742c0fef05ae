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

    public init(name: String, rateLimiter: RateLimiterConfiguration = RateLimiterConfiguration()) {
        self.name = name
    }

    public func add(_ key: Key) {}
    public func add(_ key: Key, after delay: Duration) {}
    public func addRateLimited(_ key: Key) {}
    /// Clears the item's backoff (after a successful reconcile).
    public func forget(_ key: Key) {}
    public func numRequeues(_ key: Key) -> Int { 0 }
    /// The next key, waiting while the queue is empty; nil once shut down and drained.
    public func get() async -> Key? { nil }
    public func done(_ key: Key) {}
    public func shutDown() {}
    public var count: Int { 0 }
}
