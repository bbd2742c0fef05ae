import APIModel
import KVStore

/// Watches served from the cache, with Kubernetes' resourceVersion semantics.
extension WatchCache {
    func watch(_ r: ResourceInfo, namespace: String?, options: WatchOptions) async throws -> AsyncStream<WatchEvent> {
        try validate(options.fieldSelector, for: r)
        let start: WatchStart
        switch options.resourceVersion {
        case nil, "":
            // Consistent: the state as of the store's latest revision, then changes.
            let latest = try await storeRevision()
            try await waitForRevision(latest, timeout: configuration.catchUpTimeout)
            start = .initialState
        case "0":
            try await waitForRevision(0, timeout: configuration.catchUpTimeout)
            start = .initialState
        case let text?:
            guard let revision = Int64(text), revision > 0 else {
                throw StorageError.badRequest("invalid resourceVersion \"\(text)\": must be an integer")
            }
            try await waitForRevision(revision, timeout: configuration.catchUpTimeout)
            start = .after(revision)
        }
        return register(r, namespace: namespace, options: options, start: start)
    }

    enum WatchStart {
        /// Synthetic ADDED events for the current state, then changes after it.
        case initialState
        /// Changes strictly after this revision.
        case after(Int64)
    }

    private func register(_ r: ResourceInfo, namespace: String?, options: WatchOptions, start: WatchStart) -> AsyncStream<WatchEvent> {
        let resourceKey = r.storagePrefix
        let filter = WatchFilter(r, namespace: namespace, labelSelector: options.labelSelector, fieldSelector: options.fieldSelector)
        let capacity = configuration.eventsPerResource
        let watcherBuffer = configuration.watcherBuffer
        let registered: (stream: AsyncStream<WatchEvent>, id: Int?) = state.withLock { state in
            var resource = state.resources.removeValue(forKey: resourceKey)
                ?? ResourceCache(capacity: capacity, horizon: state.primeRevision)
            defer { state.resources[resourceKey] = resource }
            var initial: [WatchEvent] = []
            switch start {
            case .initialState:
                let page = resource.page(filter, startKey: filter.keyPrefix, limit: nil)
                initial = page.items.map(\.addedEvent)
            case .after(let revision):
                if revision < resource.horizon {
                    let status = StorageError.expired("too old resource version: \(revision) (\(resource.horizon))")
                    let event = WatchEvent(type: .error, object: status.status, resourceVersion: revision)
                    let (stream, continuation) = AsyncStream<WatchEvent>.makeStream(bufferingPolicy: .unbounded)
                    continuation.yield(event)
                    continuation.finish()
                    return (stream, nil)
                }
                var index = resource.events.firstIndex(after: revision)
                while index < resource.events.count {
                    if let event = filter.event(for: resource.events[logical: index]) { initial.append(event) }
                    index += 1
                }
            }
            let (stream, continuation) = AsyncStream<WatchEvent>.makeStream(
                bufferingPolicy: .bufferingOldest(initial.count + watcherBuffer))
            state.nextWatcherID += 1
            let id = state.nextWatcherID
            // Set before anything can end the stream. It runs outside this lock (a consumer
            // cancelling concurrently waits for the lock; nothing here waits for it).
            continuation.onTermination = { [weak self] _ in
                self?.state.withLock { state in _ = state.resources[resourceKey]?.watchers.removeValue(forKey: id) }
            }
            for event in initial { continuation.yield(event) }
            resource.watchers[id] = CacheWatcher(filter: filter, continuation: continuation)
            return (stream, id)
        }
        if let id = registered.id, options.allowBookmarks {
            let interval = options.bookmarkInterval
            Task { [weak self] in await self?.sendBookmarks(resourceKey: resourceKey, id: id, resource: r, every: interval) }
        }
        return registered.stream
    }

    /// Sends a BOOKMARK at the cache's revision every `interval` while the watcher lives (the
    /// task ends at the first tick after the watcher is gone). Under the lock, so a bookmark
    /// never overtakes an event of a lower revision.
    private func sendBookmarks(resourceKey: String, id: Int, resource r: ResourceInfo, every interval: Duration) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            if Task.isCancelled { return }
            let alive = state.withLock { state -> Bool in
                guard state.primed, let watcher = state.resources[resourceKey]?.watchers[id] else { return false }
                let object: JSONValue = [
                    "kind": .string(r.kind), "apiVersion": .string(r.groupVersion.apiVersion),
                    "metadata": ["resourceVersion": .string(String(state.revision))],
                ]
                if case .terminated = watcher.continuation.yield(
                    WatchEvent(type: .bookmark, object: object, resourceVersion: state.revision))
                {
                    state.resources[resourceKey]?.watchers[id] = nil
                    return false
                }
                return true
            }
            if !alive { return }
        }
    }

    func storeRevision() async throws -> Int64 {
        do {
            return try await store.currentRevision()
        } catch {
            throw StorageError.wrapping(error)
        }
    }

    func validate(_ fieldSelector: FieldSelector, for r: ResourceInfo) throws {
        do {
            try fieldSelector.validate(for: r)
        } catch let error as SelectorError {
            throw StorageError.badRequest(error.message)
        }
    }
}
