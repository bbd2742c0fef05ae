/// Computes field sets from objects: the set an apply configuration specifies, and the
/// changes between two versions of an object (which a non-apply write takes ownership of).
enum FieldSetBuilder {
    /// Every field `value` specifies, as server-side apply owns them: leaves (scalars and atomic
    /// values), list items (`k:`/`v:` members, so that dropping an item is noticed), and empty
    /// structs or maps (`emptyDir: {}`). Nulls specify nothing.
    static func fields(of value: JSONValue, schema: Schema?) -> FieldSet {
        var set = FieldSet()
        var path: [String] = []
        collect(value, schema: schema, path: &path, into: &set)
        return set
    }

    private static func collect(_ value: JSONValue, schema: Schema?, path: inout [String], into set: inout FieldSet) {
        switch ApplyShape(schema: schema, value: value) {
        case .fields:
            guard case .object(let object) = value else { return }
            if object.isEmpty, !path.isEmpty {
                set.insert(path)
                return
            }
            for (name, member) in object where !member.isNull {
                path.append(FieldPathElement.field(name))
                collect(member, schema: ApplyShape.memberSchema(schema, name), path: &path, into: &set)
                path.removeLast()
            }
        case .associativeList(let keys):
            guard case .array(let items) = value else { return }
            if items.isEmpty { set.insert(path) }
            let itemSchema = ApplyShape.itemSchema(schema)
            for item in items {
                guard let key = FieldPathElement.key(of: item, keys: keys) else { continue }
                path.append(key)
                set.insert(path)
                if ApplyShape(schema: itemSchema, value: item).isGranular {
                    collect(item, schema: itemSchema, path: &path, into: &set)
                }
                path.removeLast()
            }
        case .setList:
            guard case .array(let items) = value else { return }
            if items.isEmpty { set.insert(path) }
            for item in items {
                path.append(FieldPathElement.value(item))
                set.insert(path)
                path.removeLast()
            }
        case .atomic:
            if !path.isEmpty { set.insert(path) }
        }
    }

    /// What a write changed, structured-merge-diff style: `changed` holds added or modified
    /// leaves and the nodes that appeared (a new map, list or list item is itself a member, so
    /// its writer owns it); `removed` holds the nodes that disappeared, whole subtrees meant.
    struct Diff {
        var changed = FieldSet()
        var removed = FieldSet()
        var isEmpty: Bool { changed.isEmpty && removed.isEmpty }
    }

    static func diff(old: JSONValue?, new: JSONValue?, schema: Schema?) -> Diff {
        var d = Diff()
        var path: [String] = []
        diffValue(old, new, schema: schema, path: &path, inItem: false, into: &d)
        return d
    }

    private static func diffValue(_ old: JSONValue?, _ new: JSONValue?, schema: Schema?, path: inout [String],
                                  inItem: Bool, into d: inout Diff)
    {
        let old = old?.isNull == true ? nil : old
        let new = new?.isNull == true ? nil : new
        switch (old, new) {
        case (nil, nil):
            return
        case (.some, nil):
            d.removed.insert(path)
        case (nil, let n?):
            added(n, schema: schema, path: &path, inItem: inItem, into: &d)
        case (let o?, let n?):
            let oldShape = ApplyShape(schema: schema, value: o)
            let newShape = ApplyShape(schema: schema, value: n)
            switch (oldShape, newShape) {
            case (.fields, .fields):
                guard case .object(let oo) = o, case .object(let no) = n else { return }
                // An emptied struct or map is a leaf of its own, owned by whoever emptied it.
                if no.isEmpty, !oo.isEmpty, !path.isEmpty { d.changed.insert(path) }
                for (name, member) in no {
                    path.append(FieldPathElement.field(name))
                    diffValue(oo[name], member, schema: ApplyShape.memberSchema(schema, name), path: &path,
                              inItem: inItem, into: &d)
                    path.removeLast()
                }
                for (name, member) in oo where no[name] == nil && !member.isNull {
                    path.append(FieldPathElement.field(name))
                    d.removed.insert(path)
                    path.removeLast()
                }
            case (.associativeList(let keys), .associativeList):
                guard case .array(let oi) = o, case .array(let ni) = n else { return }
                let itemSchema = ApplyShape.itemSchema(schema)
                var oldItems: [String: JSONValue] = [:]
                for item in oi { if let k = FieldPathElement.key(of: item, keys: keys) { oldItems[k] = item } }
                var newKeys = Set<String>()
                for item in ni {
                    guard let k = FieldPathElement.key(of: item, keys: keys) else { continue }
                    newKeys.insert(k)
                    path.append(k)
                    diffValue(oldItems[k], item, schema: itemSchema, path: &path, inItem: true, into: &d)
                    path.removeLast()
                }
                for k in oldItems.keys where !newKeys.contains(k) {
                    path.append(k)
                    d.removed.insert(path)
                    path.removeLast()
                }
            case (.setList, .setList):
                guard case .array(let oi) = o, case .array(let ni) = n else { return }
                let oldValues = Set(oi.map(FieldPathElement.value))
                let newValues = Set(ni.map(FieldPathElement.value))
                for v in newValues where !oldValues.contains(v) {
                    path.append(v)
                    d.changed.insert(path)
                    path.removeLast()
                }
                for v in oldValues where !newValues.contains(v) {
                    path.append(v)
                    d.removed.insert(path)
                    path.removeLast()
                }
            case (.atomic, .atomic):
                if o != n { d.changed.insert(path) }
            default:
                // The value changed shape (a list became a map, say): the old subtree goes,
                // the new one arrives.
                d.removed.insert(path)
                added(n, schema: schema, path: &path, inItem: inItem, into: &d)
            }
        }
    }

    /// A value that did not exist before: all of it is new. Structs outside list items are
    /// not members themselves (Kubernetes' typed objects always carry them, so they never
    /// "appear"); maps, lists, list items and structs inside new items are.
    private static func added(_ value: JSONValue, schema: Schema?, path: inout [String], inItem: Bool,
                              into d: inout Diff)
    {
        switch ApplyShape(schema: schema, value: value) {
        case .fields(let isStruct):
            guard case .object(let object) = value else { return }
            if !path.isEmpty, object.isEmpty || !isStruct || inItem { d.changed.insert(path) }
            for (name, member) in object where !member.isNull {
                path.append(FieldPathElement.field(name))
                added(member, schema: ApplyShape.memberSchema(schema, name), path: &path, inItem: inItem, into: &d)
                path.removeLast()
            }
        case .associativeList(let keys):
            guard case .array(let items) = value else { return }
            d.changed.insert(path)
            let itemSchema = ApplyShape.itemSchema(schema)
            for item in items {
                guard let k = FieldPathElement.key(of: item, keys: keys) else { continue }
                path.append(k)
                added(item, schema: itemSchema, path: &path, inItem: true, into: &d)
                d.changed.insert(path)
                path.removeLast()
            }
        case .setList:
            guard case .array(let items) = value else { return }
            d.changed.insert(path)
            for item in items {
                path.append(FieldPathElement.value(item))
                d.changed.insert(path)
                path.removeLast()
            }
        case .atomic:
            if !path.isEmpty { d.changed.insert(path) }
        }
    }
}

extension ApplyShape {
    /// Whether members below this value are tracked individually.
    var isGranular: Bool {
        if case .atomic = self { return false }
        return true
    }
}
