/// One `metadata.managedFields` entry: a manager, how it wrote (Apply or Update, through which
/// subresource), and the fields it owns.
struct ManagerEntry: Sendable, Equatable {
    var manager: String
    /// `Apply` or `Update`.
    var operation: String
    var apiVersion: String
    var time: String?
    var subresource: String?
    var fields: FieldSet

    static let apply = "Apply"
    static let update = "Update"

    /// Entries are identified by manager, operation and subresource: the same tool applying and
    /// updating owns two separate sets.
    func isSameOwner(as other: ManagerEntry) -> Bool {
        manager == other.manager && operation == other.operation && subresource == other.subresource
    }

    func isOwner(_ manager: String, operation: String, subresource: String?) -> Bool {
        self.manager == manager && self.operation == operation && self.subresource == subresource
    }

    /// Decodes an entry; `nil` for anything that is not a well-formed FieldsV1 entry.
    init?(json: JSONValue) {
        guard case .object(let o) = json,
              let operation = o["operation"]?.stringValue, operation == Self.apply || operation == Self.update,
              o["fieldsType"]?.stringValue ?? "FieldsV1" == "FieldsV1"
        else { return nil }
        manager = o["manager"]?.stringValue ?? ""
        self.operation = operation
        apiVersion = o["apiVersion"]?.stringValue ?? ""
        time = o["time"]?.stringValue
        let sub = o["subresource"]?.stringValue ?? ""
        subresource = sub.isEmpty ? nil : sub
        fields = FieldSet(fieldsV1: o["fieldsV1"] ?? .emptyObject)
    }

    init(manager: String, operation: String, apiVersion: String, time: String?, subresource: String?, fields: FieldSet) {
        self.manager = manager
        self.operation = operation
        self.apiVersion = apiVersion
        self.time = time
        self.subresource = subresource
        self.fields = fields
    }

    /// The entry in Kubernetes' member order.
    var json: JSONValue {
        var o = JSONObject()
        o.appendUnchecked("manager", .string(manager))
        o.appendUnchecked("operation", .string(operation))
        o.appendUnchecked("apiVersion", .string(apiVersion))
        if let time { o.appendUnchecked("time", .string(time)) }
        o.appendUnchecked("fieldsType", "FieldsV1")
        o.appendUnchecked("fieldsV1", fields.fieldsV1)
        if let subresource { o.appendUnchecked("subresource", .string(subresource)) }
        return .object(o)
    }

    /// The owner as conflict messages describe it: `"kubectl-scale" using apps/v1 at <time>`
    /// for updaters, just the name for appliers.
    var ownerDescription: String {
        var s = "\"\(manager)\""
        if let subresource { s += " with subresource \"\(subresource)\"" }
        if operation == Self.update {
            s += " using \(apiVersion)"
            if let time { s += " at \(time)" }
        }
        return s
    }

    /// Kubernetes' stored order: by operation (Apply before Update), then time, manager, API
    /// version and subresource.
    static func precedes(_ a: ManagerEntry, _ b: ManagerEntry) -> Bool {
        if a.operation != b.operation { return a.operation < b.operation }
        if (a.time ?? "") != (b.time ?? "") { return (a.time ?? "") < (b.time ?? "") }
        if a.manager != b.manager { return a.manager < b.manager }
        if a.apiVersion != b.apiVersion { return a.apiVersion < b.apiVersion }
        return (a.subresource ?? "") < (b.subresource ?? "")
    }
}

/// Reading and writing the entry list of an object.
enum ManagerEntries {
    /// The decodable entries of `object`, entries of one owner merged into one.
    static func decode(_ list: JSONValue?) -> [ManagerEntry] {
        guard case .array(let items)? = list else { return [] }
        var entries: [ManagerEntry] = []
        for item in items {
            guard let entry = ManagerEntry(json: item) else { continue }
            if let i = entries.firstIndex(where: { $0.isSameOwner(as: entry) }) {
                entries[i].fields.formUnion(entry.fields)
            } else {
                entries.append(entry)
            }
        }
        return entries
    }

    static func list(of object: JSONValue?) -> JSONValue? {
        object?["metadata"]?["managedFields"]
    }

    /// `object` with `entries` (empty ones dropped, sorted) as its managedFields; no member at
    /// all when nothing is owned.
    static func write(_ entries: [ManagerEntry], into object: JSONValue) -> JSONValue {
        guard case .object(var root) = object else { return object }
        let kept = entries.filter { !$0.fields.isEmpty }.sorted(by: ManagerEntry.precedes)
        root.modify("metadata") { metadata in
            guard case .object(var m)? = metadata else {
                if !kept.isEmpty { metadata = ["managedFields": .array(kept.map(\.json))] }
                return
            }
            metadata = .null
            m["managedFields"] = kept.isEmpty ? nil : .array(kept.map(\.json))
            metadata = .object(m)
        }
        return .object(root)
    }
}
