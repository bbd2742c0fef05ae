import APIModel

/// The objects of an informer by key, with secondary indexes (client-go's indexer). Not
/// thread-safe by itself: `SharedInformer` keeps it behind its lock.
struct InformerStore {
    typealias IndexFunction = @Sendable (JSONValue) -> [String]

    private(set) var items: [String: JSONValue] = [:]
    private var indexers: [String: IndexFunction] = [:]
    /// index name → index value → keys.
    private var indices: [String: [String: Set<String>]] = [:]

    var count: Int { items.count }

    subscript(key: String) -> JSONValue? { items[key] }

    /// Inserts or replaces; returns the previous object.
    @discardableResult
    mutating func upsert(_ object: JSONValue, key: String) -> JSONValue? {
        let old = items.updateValue(object, forKey: key)
        if !indexers.isEmpty {
            if let old { unindex(old, key: key) }
            index(object, key: key)
        }
        return old
    }

    @discardableResult
    mutating func remove(_ key: String) -> JSONValue? {
        guard let old = items.removeValue(forKey: key) else { return nil }
        if !indexers.isEmpty { unindex(old, key: key) }
        return old
    }

    mutating func addIndex(_ name: String, _ function: @escaping IndexFunction) {
        if indexers[name] != nil {
            // Replacing an index rebuilds it from scratch.
            indices[name] = [:]
        }
        indexers[name] = function
        var index: [String: Set<String>] = [:]
        for (key, object) in items {
            for value in function(object) { index[value, default: []].insert(key) }
        }
        indices[name] = index
    }

    func byIndex(_ name: String, _ value: String) -> [JSONValue] {
        guard let keys = indices[name]?[value] else { return [] }
        return keys.compactMap { items[$0] }
    }

    func keys(inIndex name: String, _ value: String) -> Set<String> {
        indices[name]?[value] ?? []
    }

    private mutating func index(_ object: JSONValue, key: String) {
        for (name, function) in indexers {
            for value in function(object) { indices[name, default: [:]][value, default: []].insert(key) }
        }
    }

    private mutating func unindex(_ object: JSONValue, key: String) {
        for (name, function) in indexers {
            for value in function(object) {
                indices[name]?[value]?.remove(key)
                if indices[name]?[value]?.isEmpty == true { indices[name]?[value] = nil }
            }
        }
    }
}

/// The built-in namespace index every informer of a namespaced resource keeps, so
/// `list(namespace:)` does not scan the whole store.
let namespaceIndexName = "__namespace"
