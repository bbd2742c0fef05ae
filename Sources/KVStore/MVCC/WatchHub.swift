import Synchronization

/// The changes made by one write revision, in the order the write made them.
public struct RevisionEvents: Sendable, Equatable {
    public var revision: Int64
    public var events: [WatchEvent]

    public init(revision: Int64, events: [WatchEvent]) {
        self.revision = revision
        self.events = events
    }
}

/// Delivers keyspace changes to watchers. The store feeds it on every applied write; any task
/// may watch or cancel. It keeps the revision-ordered event history since the compacted
/// revision, so a watcher starting in the past first receives the history it missed and then
/// live events — with no gap and no duplicate, because catch-up and registration happen under
/// the same lock that `publish` takes.
///
/// A slow consumer never blocks the apply loop: each watcher has a bounded buffer
/// (`bufferLimit` batches); when a delivery would overflow it, the watcher is cancelled and
/// its stream ends, after the buffered batches, with `StoreError.watcherTooSlow`.
/// Lock order: the store's lock, then this hub's; the hub never calls back into the store.
public final class WatchHub: Sendable {
    public typealias WatchID = Int64
    public typealias EventStream = AsyncThrowingStream<[WatchEvent], any Error>

    private struct Watcher {
        var interval: KeyInterval
        /// Events of earlier revisions are not for this watcher (a start in the future).
        var startRevision: Int64
        var wantsPrevKV: Bool
        var continuation: EventStream.Continuation
    }

    private struct State {
        /// Event history, ascending revision, from `compactedRevision` on.
        var log: [RevisionEvents] = []
        var compactedRevision: Int64 = 0
        var currentRevision: Int64 = 1
        var watchers: [WatchID: Watcher] = [:]
        var nextID: WatchID = 1

        /// Index of the first record with revision ≥ `revision`.
        func logIndex(from revision: Int64) -> Int {
            var low = 0, high = log.count
            while low < high {
                let mid = (low + high) / 2
                if log[mid].revision < revision { low = mid + 1 } else { high = mid }
            }
            return low
        }
    }

    private let state = Mutex(State())
    /// Maximum batches buffered for one watcher before it is cancelled as too slow.
    public let bufferLimit: Int
    /// Catch-up history is sent in batches of about this many events (whole revisions).
    public let catchUpBatchSize: Int

    public init(bufferLimit: Int = 1024, catchUpBatchSize: Int = 512) {
        self.bufferLimit = max(1, bufferLimit)
        self.catchUpBatchSize = max(1, catchUpBatchSize)
    }

    /// Watches `key` (or `[key, rangeEnd)` in `RangeRequest`'s encoding) from
    /// `startRevision` (0: from the next write on). Each element of the stream is one or more
    /// whole revisions of matching events, ascending. The stream ends with
    /// `StoreError.compacted(rev)` if `startRevision` is below the compacted revision.
    /// Cancel with `cancel(id:)` or by dropping/cancelling the stream's consumer.
    public func watch(
        key: [UInt8], rangeEnd: [UInt8] = [], startRevision: Int64 = 0, prevKV: Bool = false
    ) -> (id: WatchID, events: EventStream) {
        let (stream, continuation) = EventStream.makeStream(bufferingPolicy: .bufferingOldest(bufferLimit))
        let id = state.withLock { state in
            defer { state.nextID += 1 }
            return state.nextID
        }
        continuation.onTermination = { [weak self] _ in self?.cancel(id: id) }
        let refusal: StoreError? = state.withLock { state in
            let start = startRevision > 0 ? startRevision : state.currentRevision + 1
            if start < state.compactedRevision { return .compacted(state.compactedRevision) }
            let watcher = Watcher(
                interval: KeyInterval(key: key, rangeEnd: rangeEnd), startRevision: start, wantsPrevKV: prevKV,
                continuation: continuation)
            var batch: [WatchEvent] = []
            for record in state.log[state.logIndex(from: start)...] {
                batch += Self.matching(record.events, for: watcher)
                if batch.count >= catchUpBatchSize {
                    if case .dropped = continuation.yield(batch) { return .watcherTooSlow }
                    batch = []
                }
            }
            if !batch.isEmpty, case .dropped = continuation.yield(batch) { return .watcherTooSlow }
            state.watchers[id] = watcher
            return nil
        }
        // Finishing runs `onTermination`, which takes the lock: never finish while holding it.
        if let refusal { continuation.finish(throwing: refusal) }
        return (id, stream)
    }

    /// Stops a watch; its stream finishes normally. Unknown ids are ignored.
    public func cancel(id: WatchID) {
        let removed = state.withLock { $0.watchers.removeValue(forKey: id) }
        removed?.continuation.finish()
    }

    /// Ends every watch normally (shutdown).
    public func cancelAll() {
        let removed = state.withLock { state in
            defer { state.watchers = [:] }
            return Array(state.watchers.values)
        }
        for watcher in removed { watcher.continuation.finish() }
    }

    public var watcherCount: Int { state.withLock { $0.watchers.count } }

    public var currentRevision: Int64 { state.withLock { $0.currentRevision } }

    // MARK: Fed by the store

    /// Records and delivers one applied write. Called by `MVCCStore` in revision order.
    func publish(_ record: RevisionEvents) {
        let tooSlow: [EventStream.Continuation] = state.withLock { state in
            state.log.append(record)
            state.currentRevision = record.revision
            var tooSlow: [EventStream.Continuation] = []
            for (id, watcher) in state.watchers where record.revision >= watcher.startRevision {
                let matched = Self.matching(record.events, for: watcher)
                if matched.isEmpty { continue }
                switch watcher.continuation.yield(matched) {
                case .enqueued: break
                case .dropped:
                    state.watchers[id] = nil
                    tooSlow.append(watcher.continuation)
                case .terminated:
                    state.watchers[id] = nil
                @unknown default:
                    break
                }
            }
            return tooSlow
        }
        for continuation in tooSlow { continuation.finish(throwing: StoreError.watcherTooSlow) }
    }

    /// Forgets history below `revision`; later watches starting there get `.compacted`.
    func compact(to revision: Int64) {
        state.withLock { state in
            state.log.removeFirst(state.logIndex(from: revision))
            state.compactedRevision = revision
        }
    }

    /// Replaces the history (snapshot restore). Existing watchers end with
    /// `StoreError.watchReset`: what they saw may not be a prefix of the new history.
    func reset(log: [RevisionEvents], compactedRevision: Int64, currentRevision: Int64) {
        let ended = state.withLock { state in
            state.log = log
            state.compactedRevision = compactedRevision
            state.currentRevision = currentRevision
            defer { state.watchers = [:] }
            return Array(state.watchers.values)
        }
        for watcher in ended { watcher.continuation.finish(throwing: StoreError.watchReset) }
    }

    private static func matching(_ events: [WatchEvent], for watcher: Watcher) -> [WatchEvent] {
        var matched: [WatchEvent] = []
        for event in events where watcher.interval.contains(event.kv.key) {
            var event = event
            if !watcher.wantsPrevKV { event.prevKV = nil }
            matched.append(event)
        }
        return matched
    }
}
