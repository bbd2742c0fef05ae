/// The value operations of server-side apply: merging a configuration into the live object
/// and pruning the fields its manager stopped specifying.
enum ApplyMerge {
    /// `config` merged into `live`: structs and maps merge member by member, associative lists
    /// item by item (live order kept, new items appended), set lists by union; scalars and
    /// atomic values are replaced. Nulls in `config` specify nothing.
    static func merge(_ live: JSONValue?, _ config: JSONValue, schema: Schema?) -> JSONValue {
        let live = live?.isNull == true ? nil : live
        switch ApplyShape(schema: schema, value: config) {
        case .fields:
            guard case .object(let c) = config else { return config }
            var result = live?.objectValue ?? JSONObject()
            for (name, value) in c where !value.isNull {
                let memberSchema = ApplyShape.memberSchema(schema, name)
                result.modify(name) { existing in existing = merge(existing, value, schema: memberSchema) }
            }
            return .object(result)
        case .associativeList(let keys):
            guard case .array(let configItems) = config else { return config }
            let itemSchema = ApplyShape.itemSchema(schema)
            var items: [JSONValue] = []
            if let live, case .associativeList = ApplyShape(schema: schema, value: live), case .array(let l) = live {
                items = l
            }
            var position: [String: Int] = [:]
            for (i, item) in items.enumerated() {
                if let k = FieldPathElement.key(of: item, keys: keys) { position[k] = i }
            }
            for item in configItems {
                guard let k = FieldPathElement.key(of: item, keys: keys) else { continue }
                if let i = position[k] {
                    items[i] = merge(items[i], item, schema: itemSchema)
                } else {
                    position[k] = items.count
                    items.append(merge(nil, item, schema: itemSchema))
                }
            }
            return .array(items)
        case .setList:
            guard case .array(let configItems) = config else { return config }
            var items = live?.arrayValue ?? []
            for item in configItems where !items.contains(item) { items.append(item) }
            return .array(items)
        case .atomic:
            return config
        }
    }

    /// Removes from `value` the members of `removal` (fields the applier owned and dropped)
    /// that no other manager owns (`keep` is the union of the other entries). A removed member
    /// with owned descendants stays, minus its unowned parts; the key fields of a kept list item
    /// always stay. A struct, map or list that pruning empties goes too, unless owned itself.
    static func prune(_ value: inout JSONValue, removal: FieldSet, keep: FieldSet?, schema: Schema?,
                      protectedFields: [String] = [])
    {
        guard !removal.children.isEmpty else { return }
        switch ApplyShape(schema: schema, value: value) {
        case .fields:
            guard case .object(var object) = value else { return }
            value = .null
            for (element, sub) in removal.children where element.hasPrefix("f:") {
                let name = String(element.dropFirst(2))
                guard !protectedFields.contains(name), object.contains(name) else { continue }
                let keepChild = keep?.children[element]
                if sub.isMember, keepChild?.isEmpty ?? true {
                    object.removeValue(forKey: name)
                    continue
                }
                let memberSchema = ApplyShape.memberSchema(schema, name)
                object.modify(name) { member in
                    guard var m = member else { return }
                    member = .null
                    let wasEmpty = m.isEmptyContainer
                    prune(&m, removal: sub, keep: keepChild, schema: memberSchema)
                    if !wasEmpty, m.isEmptyContainer, !(keepChild?.isMember ?? false) { member = nil } else { member = m }
                }
            }
            value = .object(object)
        case .associativeList(let keys):
            guard case .array(var items) = value else { return }
            value = .null
            let itemSchema = ApplyShape.itemSchema(schema)
            var kept: [JSONValue] = []
            kept.reserveCapacity(items.count)
            for i in items.indices {
                guard let k = FieldPathElement.key(of: items[i], keys: keys), let sub = removal.children[k] else {
                    kept.append(items[i])
                    continue
                }
                let keepChild = keep?.children[k]
                if sub.isMember, keepChild?.isEmpty ?? true { continue }
                var item = items[i]
                items[i] = .null
                prune(&item, removal: sub, keep: keepChild, schema: itemSchema, protectedFields: keys)
                kept.append(item)
            }
            value = .array(kept)
        case .setList:
            guard case .array(let items) = value else { return }
            value = .array(items.filter { item in
                let v = FieldPathElement.value(item)
                guard let sub = removal.children[v], sub.isMember else { return true }
                return !(keep?.children[v]?.isEmpty ?? true)
            })
        case .atomic:
            return
        }
    }
}

extension JSONValue {
    /// `{}` or `[]`.
    var isEmptyContainer: Bool {
        switch self {
        case .object(let o): return o.isEmpty
        case .array(let a): return a.isEmpty
        default: return false
        }
    }
}
