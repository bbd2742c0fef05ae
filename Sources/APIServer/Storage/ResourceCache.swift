import APIModel

/// What one watch (or list) selects: keys under a prefix whose objects pass the selectors.
struct WatchFilter {
    /// The resource prefix, or the namespace's prefix within it.
    let keyPrefix: String
    let labelSelector: LabelSelector
    let fieldSelector: FieldSelector
    /// The one key a `metadata.name=` selector allows within `keyPrefix` (informers of one
    /// object: `kubectl wait`, `rollout status`), so a list looks it up instead of scanning.
    let exactKey: String?

    init(_ r: ResourceInfo, namespace: String?, labelSelector: LabelSelector, fieldSelector: FieldSelector) {
        keyPrefix = r.storagePrefix(namespace: namespace)
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        if let name = fieldSelector.requiredName, !r.namespaced || namespace != nil {
            exactKey = r.storageKey(namespace: namespace, name: name)
        } else {
            exactKey = nil
        }
    }

    var filters: Bool { !labelSelector.isEverything || !fieldSelector.isEverything }

    func matches(_ object: CachedObject?) -> Bool {
        guard let object else { return false }
        return labelSelector.matches(object.labels) && fieldSelector.matches(object.object)
    }

    /// What a watcher with this filter is sent for `event`, if anything: an object that
    /// starts matching appears as ADDED, one that stops matching leaves as DELETED.
    func event(for event: CacheEvent) -> WatchEvent? {
        guard event.key.hasPrefix(keyPrefix) else { return nil }
        if !filters { return event.primary }
        let now = matches(event.current)
        let before = matches(event.previous)
        switch (before, now) {
        case (true, true): return event.primary
        case (false, true): return event.asAdded
        case (true, false): return event.asDeleted
        case (false, false): return nil
        }
    }
}

/// One registered watcher: its filter and its outlet.
struct CacheWatcher {
    let filter: WatchFilter
    let continuation: AsyncStream<WatchEvent>.Continuation
}

/// Events of one resource in revision order, the last `capacity` of them.
struct EventRing {
    private var buffer: [CacheEvent] = []
    private var head = 0
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    var count: Int { buffer.count }

    subscript(logical index: Int) -> CacheEvent { buffer[(head + index) % buffer.count] }

    /// Appends; returns the evicted event when full.
    mutating func append(_ event: CacheEvent) -> CacheEvent? {
        if buffer.count < capacity {
            buffer.append(event)
            return nil
        }
        let evicted = buffer[head]
        buffer[head] = event
        head = (head + 1) % capacity
        return evicted
    }

    /// Logical index of the first event with revision > `revision`.
    func firstIndex(after revision: Int64) -> Int {
        var low = 0, high = buffer.count
        while low < high {
            let mid = (low + high) / 2
            if self[logical: mid].revision <= revision { low = mid + 1 } else { high = mid }
        }
        return low
    }

    mutating func removeAll() {
        buffer = []
        head = 0
    }
}

/// The cached state of one resource: current objects (by key, plus the keys in order for
/// paged lists), recent events and the watchers that follow it.
struct ResourceCache {
    var objects: [String: CachedObject] = [:]
    /// Keys of `objects`, ascending (byte order: keys are ASCII).
    var sortedKeys: [String] = []
    var events: EventRing
    /// Every event with a revision above this one is in `events`.
    var horizon: Int64
    var watchers: [Int: CacheWatcher] = [:]

    init(capacity: Int, horizon: Int64) {
        self.events = EventRing(capacity: capacity)
        self.horizon = horizon
    }

    /// Index of the first key ≥ `key`.
    func lowerBound(_ key: String) -> Int {
        var low = 0, high = sortedKeys.count
        while low < high {
            let mid = (low + high) / 2
            if sortedKeys[mid] < key { low = mid + 1 } else { high = mid }
        }
        return low
    }

    mutating func apply(_ event: CacheEvent) {
        if let current = event.current {
            if objects.updateValue(current, forKey: event.key) == nil {
                sortedKeys.insert(event.key, at: lowerBound(event.key))
            }
        } else if objects.removeValue(forKey: event.key) != nil {
            let index = lowerBound(event.key)
            if index < sortedKeys.count, sortedKeys[index] == event.key { sortedKeys.remove(at: index) }
        }
        if let evicted = events.append(event) { horizon = max(horizon, evicted.revision) }
    }

    /// One page of objects that pass `filter`, from `startKey` on. Returns the page, the
    /// last key in it, whether more matching objects follow and (without selectors) how many.
    func page(
        _ filter: WatchFilter, startKey: String, limit: Int?
    ) -> (items: [CachedObject], lastKey: String?, more: Bool, remaining: Int64?) {
        let filters = filter.filters
        if let exactKey = filter.exactKey {
            guard exactKey >= startKey, let object = objects[exactKey], filter.matches(object) else { return ([], nil, false, nil) }
            return ([object], exactKey, false, nil)
        }
        let start = lowerBound(max(startKey, filter.keyPrefix))
        let end = lowerBound(prefixEnd(filter.keyPrefix))
        let pageSize = limit.flatMap { $0 > 0 ? $0 : nil } ?? Int.max
        var items: [CachedObject] = []
        var index = start
        while index < end {
            let object = objects[sortedKeys[index]]
            index += 1
            guard let object, !filters || filter.matches(object) else { continue }
            if items.count == pageSize {
                // One more match exists: this page is full.
                return (items, items.last?.key, true, filters ? nil : Int64(end - index + 1))
            }
            items.append(object)
        }
        return (items, items.last?.key, false, nil)
    }
}

/// The smallest string greater than every key with `prefix` (prefixes end in `/`).
func prefixEnd(_ prefix: String) -> String {
    var bytes = Array(prefix.utf8)
    while let last = bytes.last {
        if last < 0x7f {
            bytes[bytes.count - 1] = last + 1
            return String(decoding: bytes, as: UTF8.self)
        }
        bytes.removeLast()
    }
    return "\u{7f}"
}
