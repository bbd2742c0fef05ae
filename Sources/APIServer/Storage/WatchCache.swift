import APIModel
import KVStore
import Logging
import Synchronization

/// The apiserver's watch cache: the current state of every object under `/registry/` and the
/// recent events of each resource, fed by one store watch.
///
/// It is primed by a consistent range at revision R and then follows a store watch from
/// R+1. Each store event is parsed and encoded once (`CacheEvent`) and handed to the watchers
/// of its resource only; all state changes and deliveries happen under one lock, so a
/// watcher that registers sees exactly the events after its starting revision — none twice,
/// none missing. Delivery never blocks: each watcher has a bounded buffer and is ended when
/// it overflows (Kubernetes clients then re-watch from their last revision or relist).
///
/// The store watch covers the whole keyspace, not just `/registry/`: keys outside it are
/// ignored, but their revisions still advance the cache's revision, so "wait until the cache
/// has caught up with the store's revision" (consistent reads) always terminates.
final class WatchCache: Sendable {
    let store: any KeyValueStore
    let logger: Logger
    let configuration: ObjectStorage.Configuration
    let state: Mutex<CacheState>

    init(store: any KeyValueStore, logger: Logger, configuration: ObjectStorage.Configuration) {
        self.store = store
        self.logger = logger
        self.configuration = configuration
        self.state = Mutex(CacheState())
    }

    // MARK: - Feeding

    func run() async throws {
        var backoff: Duration = .milliseconds(50)
        defer { reset(reason: "the watch cache stopped") }
        while !Task.isCancelled {
            do {
                let revision = try await prime()
                backoff = .milliseconds(50)
                try await follow(from: revision + 1)
                if Task.isCancelled { return }
                logger.warning("store watch ended; re-priming the watch cache")
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("watch cache: store watch failed; re-priming", metadata: ["error": "\(error)"])
            }
            reset(reason: "the watch cache is re-synchronising with the store")
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(2))
        }
    }

    /// Loads every object under `/registry/` at one revision and installs it as the state.
    private func prime() async throws -> Int64 {
        let prefix = Array("/registry/".utf8)
        let response = try await store.range(KV.RangeRequest(key: prefix, rangeEnd: KV.prefixEnd(of: prefix)))
        let revision = response.header?.revision ?? 0
        var resources: [String: ResourceCache] = [:]
        for kv in response.kvs {
            let key = String(decoding: kv.key, as: UTF8.self)
            guard let resource = resourcePrefix(ofKey: key) else { continue }
            guard let object = CachedObject(key: key, value: kv.value, modRevision: kv.modRevision) else {
                logger.error("watch cache: stored value is not JSON; skipped", metadata: ["key": "\(key)"])
                continue
            }
            resources[resource, default: ResourceCache(capacity: configuration.eventsPerResource, horizon: revision)]
                .objects[key] = object
        }
        for (prefix, resource) in resources {
            let sorted = resource.objects.keys.sorted()
            resources[prefix]?.sortedKeys = sorted
        }
        let ready = state.withLock { state in
            state.resources = resources
            state.revision = revision
            state.primeRevision = revision
            state.primed = true
            return state.takeSatisfiedWaiters()
        }
        for waiter in ready { waiter.resume() }
        logger.debug("watch cache primed", metadata: ["revision": "\(revision)", "objects": "\(response.kvs.count)"])
        return revision
    }

    /// Applies store events until the store watch ends or the task is cancelled.
    private func follow(from start: Int64) async throws {
        let stream = store.watch(KV.WatchCreateRequest(key: [0], rangeEnd: [0], startRevision: start, prevKV: true))
        for try await response in stream {
            if response.canceled {
                throw StorageError.unavailable("store watch cancelled: \(response.cancelReason ?? "no reason given")")
            }
            if response.events.isEmpty { continue }
            ingest(response.events)
        }
    }

    /// Parses a batch outside the lock, then applies and delivers it under the lock.
    func ingest(_ events: [KV.Event]) {
        struct Parsed {
            var resource: String
            var key: String
            var revision: Int64
            var current: CachedObject?
            var prevKV: KV.KeyValue?
        }
        var parsed: [Parsed] = []
        var lastRevision: Int64 = 0
        for event in events {
            guard let kv = event.kv else { continue }
            lastRevision = max(lastRevision, kv.modRevision)
            let key = String(decoding: kv.key, as: UTF8.self)
            guard let resource = resourcePrefix(ofKey: key) else { continue }
            var current: CachedObject?
            if event.effectiveType == .put {
                current = CachedObject(key: key, value: kv.value, modRevision: kv.modRevision)
                if current == nil {
                    logger.error("watch cache: stored value is not JSON; treated as deleted", metadata: ["key": "\(key)"])
                }
            }
            parsed.append(Parsed(resource: resource, key: key, revision: kv.modRevision, current: current, prevKV: event.prevKV))
        }
        let (ended, ready): ([AsyncStream<WatchEvent>.Continuation], [RevisionWaiter]) = state.withLock { state in
            var ended: [AsyncStream<WatchEvent>.Continuation] = []
            for item in parsed {
                let capacity = configuration.eventsPerResource
                let horizon = state.primeRevision
                var resource = state.resources.removeValue(forKey: item.resource)
                    ?? ResourceCache(capacity: capacity, horizon: horizon)
                var previous = resource.objects[item.key]
                if previous == nil, let prevKV = item.prevKV, !prevKV.value.isEmpty {
                    previous = CachedObject(key: item.key, value: prevKV.value, modRevision: prevKV.modRevision)
                }
                if item.current == nil && previous == nil {
                    state.resources[item.resource] = resource
                    continue  // deleting what was never there (or a non-JSON value): nothing to tell
                }
                let event = CacheEvent(revision: item.revision, key: item.key, current: item.current, previous: previous)
                resource.apply(event)
                for (id, watcher) in resource.watchers {
                    guard let delivered = watcher.filter.event(for: event) else { continue }
                    switch watcher.continuation.yield(delivered) {
                    case .enqueued: break
                    case .dropped, .terminated:
                        resource.watchers[id] = nil
                        ended.append(watcher.continuation)
                    @unknown default: break
                    }
                }
                state.resources[item.resource] = resource
            }
            if lastRevision > state.revision { state.revision = lastRevision }
            return (ended, state.takeSatisfiedWaiters())
        }
        // Finishing runs onTermination, which takes the lock: only outside it.
        for continuation in ended { continuation.finish() }
        for waiter in ready { waiter.resume() }
    }

    /// Forgets the state and ends every watcher (they may have missed events).
    private func reset(reason: String) {
        let ended: [AsyncStream<WatchEvent>.Continuation] = state.withLock { state in
            var ended: [AsyncStream<WatchEvent>.Continuation] = []
            for resource in state.resources.values {
                ended.append(contentsOf: resource.watchers.values.map(\.continuation))
            }
            state.resources = [:]
            state.primed = false
            return ended
        }
        if !ended.isEmpty { logger.info("ending watchers", metadata: ["count": "\(ended.count)", "reason": "\(reason)"]) }
        for continuation in ended { continuation.finish() }
    }

    // MARK: - Waiting for revisions

    func waitUntilReady() async throws {
        try await waitForRevision(0, timeout: nil)
    }

    /// Returns once the cache is primed and has applied `revision`; throws a 504 after `timeout`.
    func waitForRevision(_ revision: Int64, timeout: Duration?) async throws {
        let id = state.withLock { state -> Int? in
            if state.primed && state.revision >= revision { return nil }
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        guard let id else { return }
        let timer: Task<Void, Never>? = timeout.map { timeout in
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                if Task.isCancelled { return }
                let waiter = self?.state.withLock { $0.waiters.removeValue(forKey: id) }
                waiter?.resume(
                    throwing: revision == 0
                        ? StorageError.unavailable("the watch cache is not ready yet; try again")
                        : StorageError.timeout(
                            "Too large resource version: \(revision), the cache has not caught up within \(timeout)",
                            retryAfterSeconds: 1))
            }
        }
        defer { timer?.cancel() }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let immediate = self.state.withLock { state -> Bool in
                    if state.primed && state.revision >= revision { return true }
                    if Task.isCancelled { return true }
                    state.waiters[id] = RevisionWaiter(revision: revision, continuation: continuation)
                    return false
                }
                if immediate {
                    if Task.isCancelled { continuation.resume(throwing: CancellationError()) } else { continuation.resume() }
                }
            }
        } onCancel: {
            let waiter = self.state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume(throwing: CancellationError())
        }
    }

    /// The cache's revision once primed.
    var revision: Int64? { state.withLock { $0.primed ? $0.revision : nil } }
}

/// A task waiting for the cache to reach a revision.
struct RevisionWaiter {
    let revision: Int64
    let continuation: CheckedContinuation<Void, any Error>

    func resume() { continuation.resume() }
    func resume(throwing error: any Error) { continuation.resume(throwing: error) }
}

/// Everything the cache lock protects.
struct CacheState {
    var resources: [String: ResourceCache] = [:]
    /// The latest store revision applied (any key).
    var revision: Int64 = 0
    /// The revision of the last prime: every resource has all events after it.
    var primeRevision: Int64 = 0
    var primed = false
    var waiters: [Int: RevisionWaiter] = [:]
    var nextWaiterID = 0
    var nextWatcherID = 0

    mutating func takeSatisfiedWaiters() -> [RevisionWaiter] {
        guard primed, !waiters.isEmpty else { return [] }
        var ready: [RevisionWaiter] = []
        for (id, waiter) in waiters where waiter.revision <= revision {
            ready.append(waiter)
            waiters[id] = nil
        }
        return ready
    }
}

extension WatchCache {
    /// The cached state of one key (possibly behind the store): a first guess for writers,
    /// whose compare-and-swap on the mod revision catches staleness.
    func cachedObject(key: String) -> CachedObject? {
        guard let resource = resourcePrefix(ofKey: key) else { return nil }
        return state.withLock { state in state.primed ? state.resources[resource]?.objects[key] : nil }
    }
}
