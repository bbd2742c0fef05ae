import APIModel
import Logging

/// The list+watch loop of an informer.
extension SharedInformer {
    /// Lists, then watches from the list's resourceVersion; a watch that ends is resumed from
    /// the last resourceVersion seen; 410 Gone (an `ERROR` event or a thrown status) relists.
    /// Transport failures retry with backoff, keeping the resourceVersion.
    func reflect() async {
        var needsList = true
        var backoff = RetryBackoff(initial: .milliseconds(200), maximum: .seconds(30))
        while !Task.isCancelled {
            if needsList {
                do {
                    try await relist()
                    needsList = false
                    backoff.reset()
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("list failed; retrying", metadata: ["error": "\(error)"])
                    if !(await sleep(backoff.next())) { return }
                    continue
                }
            }
            switch await watchOnce() {
            case .ended:
                backoff.reset()
            case .gone:
                logger.info("watch resourceVersion expired; relisting")
                needsList = true
            case .failed(let error):
                if Task.isCancelled { return }
                logger.warning("watch failed; retrying", metadata: ["error": "\(error)"])
                if !(await sleep(backoff.next())) { return }
            case .cancelled:
                return
            }
        }
    }

    enum WatchOutcome {
        /// The server ended the watch (its timeout): resume from the last resourceVersion.
        case ended
        /// 410: the resourceVersion is too old, relist.
        case gone
        case failed(any Error)
        case cancelled
    }

    private func sleep(_ duration: Duration) async -> Bool {
        do {
            try await Task.sleep(for: duration)
            return true
        } catch {
            return false
        }
    }

    private var selectorOptions: ListOptions {
        ListOptions(labelSelector: labelSelector, fieldSelector: fieldSelector)
    }

    /// A consistent list replaces the store: objects not in it are deleted (with their last
    /// known state), changed ones updated, new ones added.
    func relist() async throws {
        let list = try await client.listAll(resource, namespace: namespace, options: selectorOptions)
        replace(with: list.items, resourceVersion: list.resourceVersion)
    }

    func replace(with items: [JSONValue], resourceVersion: String) {
        state.withLock { state in
            var notifications: [Notification] = []
            var present = Set<String>()
            present.reserveCapacity(items.count)
            for object in items {
                let key = object.key
                present.insert(key)
                if let old = state.store.upsert(object, key: key) {
                    if old.resourceVersion != object.resourceVersion { notifications.append(.update(old, object)) }
                } else {
                    notifications.append(.add(object))
                }
            }
            if state.store.count > present.count {
                for key in Array(state.store.items.keys) where !present.contains(key) {
                    if let old = state.store.remove(key) { notifications.append(.delete(old)) }
                }
            }
            state.lastResourceVersion = resourceVersion
            if !notifications.isEmpty, !state.handlers.isEmpty {
                deliveryQueue.yield(.notifications(state.handlers, notifications))
            }
            if !synced.isFired { deliveryQueue.yield(.synced) }
        }
    }

    /// One watch request from the last resourceVersion, applied event by event.
    func watchOnce() async -> WatchOutcome {
        var options = selectorOptions
        options.resourceVersion = lastSyncResourceVersion
        options.allowWatchBookmarks = true
        options.timeoutSeconds = watchTimeoutSeconds ?? Int.random(in: 300...600)
        do {
            for try await event in client.watch(resource, namespace: namespace, options: options) {
                switch event.type {
                case .added, .modified:
                    apply(upsert: event.object)
                case .deleted:
                    apply(delete: event.object)
                case .bookmark:
                    let version = event.object.resourceVersion
                    if !version.isEmpty { state.withLock { $0.lastResourceVersion = version } }
                case .error:
                    let error = APITransport.statusError(status: 500, document: event.object)
                    return error.isGone ? .gone : .failed(error)
                }
            }
            return Task.isCancelled ? .cancelled : .ended
        } catch let error as ClientError where error.isGone {
            return .gone
        } catch {
            return Task.isCancelled ? .cancelled : .failed(error)
        }
    }

    private func apply(upsert object: JSONValue) {
        let key = object.key
        state.withLock { state in
            let version = object.resourceVersion
            if !version.isEmpty { state.lastResourceVersion = version }
            if let old = state.store[key], old.resourceVersion == version, !version.isEmpty {
                return  // the same version again (a resumed watch's overlap): nothing changed
            }
            let old = state.store.upsert(object, key: key)
            guard !state.handlers.isEmpty else { return }
            deliveryQueue.yield(.notifications(state.handlers, [old.map { .update($0, object) } ?? .add(object)]))
        }
    }

    private func apply(delete object: JSONValue) {
        let key = object.key
        state.withLock { state in
            let version = object.resourceVersion
            if !version.isEmpty { state.lastResourceVersion = version }
            guard state.store.remove(key) != nil else { return }
            guard !state.handlers.isEmpty else { return }
            deliveryQueue.yield(.notifications(state.handlers, [.delete(object)]))
        }
    }
}
