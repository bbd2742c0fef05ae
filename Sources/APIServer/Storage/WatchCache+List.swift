import APIModel
import KVStore

/// Lists with Kubernetes' resourceVersion semantics: from the cache when it holds the
/// requested state, from the store at a fixed revision otherwise (exact reads and pages of
/// a list whose first page is older than the cache).
extension WatchCache {
    func list(_ r: ResourceInfo, namespace: String?, options: ListOptions) async throws -> ListResult {
        try validate(options.fieldSelector, for: r)
        let filter = WatchFilter(r, namespace: namespace, labelSelector: options.labelSelector, fieldSelector: options.fieldSelector)
        let limit = options.limit.flatMap { $0 > 0 ? $0 : nil }
        let version = options.resourceVersion ?? ""
        let match = options.resourceVersionMatch ?? ""

        if let token = options.continueToken, !token.isEmpty {
            if !version.isEmpty && version != "0" {
                throw StorageError.badRequest("specifying resourceVersion is not allowed when using continue")
            }
            let position = try ContinueToken(decoding: token)
            let startKey = filter.keyPrefix + position.start
            if let page = pageIfCacheHolds(r, revision: position.revision, filter: filter, startKey: startKey, limit: limit) {
                return page
            }
            return try await listFromStore(filter, startKey: startKey, revision: position.revision, limit: limit, continuing: true)
        }

        switch version {
        case "":
            if !match.isEmpty {
                throw StorageError.badRequest("resourceVersionMatch is forbidden unless resourceVersion is provided")
            }
            // Consistent read: the cache once it has caught up with the store's latest revision.
            let latest = try await storeRevision()
            do {
                try await waitForRevision(latest, timeout: configuration.catchUpTimeout)
            } catch let error as StorageError where error.code == 504 {
                return try await listFromStore(filter, startKey: filter.keyPrefix, revision: 0, limit: limit, continuing: false)
            }
            return pageFromCache(r, filter: filter, startKey: filter.keyPrefix, limit: limit)
        case "0":
            if match == "Exact" {
                throw StorageError.badRequest("resourceVersionMatch \"Exact\" is forbidden for resourceVersion \"0\"")
            }
            guard match.isEmpty || match == "NotOlderThan" else { throw Self.unsupportedMatch(match) }
            try await waitForRevision(0, timeout: configuration.catchUpTimeout)
            return pageFromCache(r, filter: filter, startKey: filter.keyPrefix, limit: limit)
        default:
            guard let revision = Int64(version), revision > 0 else {
                throw StorageError.badRequest("invalid resourceVersion \"\(version)\": must be an integer")
            }
            switch match {
            case "", "NotOlderThan":
                try await waitForRevision(revision, timeout: configuration.catchUpTimeout)
                return pageFromCache(r, filter: filter, startKey: filter.keyPrefix, limit: limit)
            case "Exact":
                if let page = pageIfCacheHolds(r, revision: revision, filter: filter, startKey: filter.keyPrefix, limit: limit) {
                    return page
                }
                return try await listFromStore(filter, startKey: filter.keyPrefix, revision: revision, limit: limit, continuing: false)
            default:
                throw Self.unsupportedMatch(match)
            }
        }
    }

    private static func unsupportedMatch(_ match: String) -> StorageError {
        .badRequest("unsupported resourceVersionMatch \"\(match)\": supported values are \"Exact\" and \"NotOlderThan\"")
    }

    /// A page of the cache's current state.
    private func pageFromCache(_ r: ResourceInfo, filter: WatchFilter, startKey: String, limit: Int?) -> ListResult {
        let resourceKey = r.storagePrefix
        let (page, revision) = state.withLock { state in
            (state.resources[resourceKey]?.page(filter, startKey: startKey, limit: limit), state.revision)
        }
        return Self.result(page, revision: revision, filter: filter)
    }

    /// A page from the cache if its state of this resource is the state at `revision` (no
    /// event of the resource since then); nil otherwise.
    private func pageIfCacheHolds(_ r: ResourceInfo, revision: Int64, filter: WatchFilter, startKey: String, limit: Int?) -> ListResult? {
        let resourceKey = r.storagePrefix
        let page: (items: [CachedObject], lastKey: String?, more: Bool, remaining: Int64?)?? = state.withLock { state in
            guard state.primed, state.revision >= revision, state.primeRevision <= revision else { return nil }
            guard let resource = state.resources[resourceKey] else { return .some(nil) }
            let last = resource.events.count > 0 ? resource.events[logical: resource.events.count - 1].revision : 0
            guard last <= revision else { return nil }
            return .some(resource.page(filter, startKey: startKey, limit: limit))
        }
        guard let page else { return nil }
        return Self.result(page, revision: revision, filter: filter)
    }

    private static func result(
        _ page: (items: [CachedObject], lastKey: String?, more: Bool, remaining: Int64?)?, revision: Int64, filter: WatchFilter
    ) -> ListResult {
        guard let page else { return ListResult(items: [], resourceVersion: revision) }
        var token: String?
        if page.more, let lastKey = page.lastKey {
            token = ContinueToken(revision: revision, start: String(lastKey.dropFirst(filter.keyPrefix.count)) + "\u{0}").encoded()
        }
        return ListResult(
            items: page.items.map(\.stored), resourceVersion: revision, continueToken: token,
            remainingItemCount: page.more ? page.remaining : nil)
    }

    /// Reads the store at `revision` (0: latest), page by page until `limit` objects pass
    /// the selectors. A compacted revision is 410 Expired.
    private func listFromStore(
        _ filter: WatchFilter, startKey: String, revision: Int64, limit: Int?, continuing: Bool
    ) async throws -> ListResult {
        let end = Array(prefixEnd(filter.keyPrefix).utf8)
        var next = Array(max(startKey, filter.keyPrefix).utf8)
        var readRevision = revision
        var items: [StoredObject] = []
        var lastKey: String?
        var more = false
        var remaining: Int64?
        reading: while true {
            let chunk: Int64 = limit.map { Int64(max($0 - items.count + 1, filter.filters ? 256 : 1)) } ?? 0
            let response: KV.RangeResponse
            do {
                response = try await store.range(KV.RangeRequest(key: next, rangeEnd: end, limit: chunk, revision: readRevision))
            } catch {
                throw Self.storeReadError(error, revision: revision, continuing: continuing)
            }
            if readRevision == 0 { readRevision = response.header?.revision ?? 0 }
            for (index, kv) in response.kvs.enumerated() {
                let key = String(decoding: kv.key, as: UTF8.self)
                guard let object = CachedObject(key: key, value: kv.value, modRevision: kv.modRevision) else { continue }
                guard !filter.filters || filter.matches(object) else { continue }
                if let limit, items.count == limit {
                    more = true
                    if !filter.filters { remaining = response.count - Int64(index) }
                    break reading
                }
                items.append(object.stored)
                lastKey = key
            }
            guard response.more, let last = response.kvs.last else { break }
            next = last.key + [0]
        }
        var token: String?
        if more, let lastKey {
            token = ContinueToken(revision: readRevision, start: String(lastKey.dropFirst(filter.keyPrefix.count)) + "\u{0}").encoded()
        }
        return ListResult(items: items, resourceVersion: readRevision, continueToken: token, remainingItemCount: more ? remaining : nil)
    }

    private static func storeReadError(_ error: any Error, revision: Int64, continuing: Bool) -> StorageError {
        let storeError = KVStoreError.wrapping(error)
        if storeError.message.contains("compacted") {
            if continuing {
                return .expired(
                    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.")
            }
            return .expired("too old resource version: \(revision)")
        }
        if storeError.message.contains("future revision") {
            return .timeout("Too large resource version: \(revision)", retryAfterSeconds: 1)
        }
        return .wrapping(error)
    }
}
