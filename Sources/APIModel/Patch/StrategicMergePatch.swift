/// Strategic merge patch (`application/strategic-merge-patch+json`), driven by the schema's
/// `patchStrategy` / `patchMergeKey`, with the directives kubectl sends:
/// `$patch: replace|delete|merge`, `$retainKeys`, `$setElementOrder/<list>`,
/// `$deleteFromPrimitiveList/<list>`.
///
/// Order rules follow Kubernetes: `$setElementOrder` beats the order in the patch list, which
/// beats the order in the live list; items only on the server keep their relative place.
/// Fields the schema does not describe (`.any` subtrees) merge like JSON merge patch: maps
/// merge, lists are replaced.
public enum StrategicMergePatch {
    static let directive = "$patch"
    static let retainKeys = "$retainKeys"
    static let setElementOrderPrefix = "$setElementOrder/"
    static let deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/"

    public static func apply(_ patch: JSONValue, to original: JSONValue, schema: Schema) throws -> JSONValue {
        guard case .object(let patchObject) = patch else {
            throw PatchError("a strategic merge patch must be a JSON object, got \(patch.typeName)")
        }
        let originalObject = original.objectValue ?? JSONObject()
        return .object(try mergeMap(originalObject, patchObject, schema: schema))
    }

    /// What the schema says about one member of an object.
    struct FieldMeta {
        var schema: Schema?
        var strategy: PatchStrategy = []
        var mergeKey: String?
    }

    static func meta(_ parent: Schema?, _ key: String) -> FieldMeta {
        switch parent {
        case .object(let o)?:
            guard let f = o.field(named: key) else { return FieldMeta(schema: o.preservesUnknownFields ? .any : nil) }
            return FieldMeta(schema: f.schema, strategy: f.patchStrategy, mergeKey: f.patchMergeKey)
        case .map(let valueSchema)?:
            return FieldMeta(schema: valueSchema)
        default:
            return FieldMeta(schema: nil)
        }
    }

    static func mergeMap(_ original: JSONObject, _ patchIn: JSONObject, schema: Schema?) throws -> JSONObject {
        var patch = patchIn
        if let d = patch[directive] {
            switch d.stringValue {
            case "replace":
                patch.removeValue(forKey: directive)
                return try mergeMap(JSONObject(), patch, schema: schema)
            case "delete":
                return JSONObject()
            case "merge":
                patch.removeValue(forKey: directive)
            default:
                throw PatchError("Unknown patch type: \(d.jsonString()) in map: \(JSONValue.object(patchIn).jsonString())")
            }
        }
        var result = original

        // $retainKeys: clear everything the patch does not list.
        if let retain = patch.removeValue(forKey: retainKeys) {
            guard case .array(let names) = retain else { throw PatchError("$retainKeys must be a list of field names") }
            let keep = Set(names.compactMap(\.stringValue))
            for (k, v) in patch where !v.isNull && !k.hasPrefix("$") && !keep.contains(k) {
                throw PatchError("field \"\(k)\" is in the patch but not in $retainKeys")
            }
            for k in result.keys where !keep.contains(k) { result.removeValue(forKey: k) }
        }

        // $setElementOrder/<list>: merge that list now and order it.
        for key in patch.keys where key.hasPrefix(setElementOrderPrefix) {
            let order = patch.removeValue(forKey: key) ?? .null
            let field = String(key.dropFirst(setElementOrderPrefix.count))
            guard case .array(let orderList) = order else { throw PatchError("\(key) must be a list") }
            let fieldMeta = meta(schema, field)
            let originalList = result[field]?.arrayValue
            let patchValue = patch.removeValue(forKey: field)
            let patchList = patchValue?.arrayValue
            if let patchValue, patchList == nil, !patchValue.isNull {
                throw PatchError("\(field) must be a list to go with \(key)")
            }
            let merged: [JSONValue]
            switch (originalList, patchList) {
            case (let o?, nil): merged = o
            case (nil, let p?): merged = try mergeList([], p, meta: fieldMeta)
            case (let o?, let p?): merged = try mergeList(o, p, meta: fieldMeta)
            case (nil, nil): continue
            }
            let mergeKey = fieldMeta.mergeKey
            var patchItems: [JSONValue] = []
            var serverOnly: [JSONValue] = []
            for item in merged {
                if index(of: item, in: orderList, mergeKey: mergeKey) != nil { patchItems.append(item) } else { serverOnly.append(item) }
            }
            result[field] = .array(normalizeOrder(patchItems, serverOnly, patchOrder: orderList,
                                                  serverOrder: originalList ?? [], mergeKey: mergeKey))
        }

        for (key, patchValue) in patch {
            if key.hasPrefix(deleteFromPrimitiveListPrefix) {
                let field = String(key.dropFirst(deleteFromPrimitiveListPrefix.count))
                guard case .array(let toDelete) = patchValue else { throw PatchError("\(key) must be a list") }
                if case .array(let items)? = result[field] {
                    result[field] = .array(items.filter { !toDelete.contains($0) })
                }
                continue
            }
            if key == directive { continue }
            if patchValue.isNull {
                result.removeValue(forKey: key)
                continue
            }
            let fieldMeta = meta(schema, key)
            try result.modify(key) { existing in
                existing = try mergeValue(existing, patchValue, meta: fieldMeta)
            }
        }
        return result
    }

    /// Merges one member; `original` is nil when absent.
    static func mergeValue(_ original: JSONValue?, _ patch: JSONValue, meta fieldMeta: FieldMeta) throws -> JSONValue {
        switch (original, patch) {
        case (.object(let o)?, .object(let p)):
            if fieldMeta.strategy.contains(.replace) { return try .object(mergeMap(JSONObject(), p, schema: fieldMeta.schema)) }
            return try .object(mergeMap(o, p, schema: fieldMeta.schema))
        case (.array(let o)?, .array(let p)):
            return try .array(mergeList(o, p, meta: fieldMeta))
        case (_, .object(let p)):
            return try .object(mergeMap(JSONObject(), p, schema: fieldMeta.schema))
        case (_, .array(let p)):
            return try .array(mergeList([], p, meta: fieldMeta))
        default:
            return patch
        }
    }

    static func mergeList(_ originalIn: [JSONValue], _ patchIn: [JSONValue], meta fieldMeta: FieldMeta) throws -> [JSONValue] {
        let itemSchema = fieldMeta.schema?.arraySchema?.items
        guard fieldMeta.strategy.contains(.merge) else {
            // Replace: the patch list, with directives inside its maps resolved.
            return try patchIn.map { try mergeValue(nil, $0, meta: FieldMeta(schema: itemSchema)) }
        }
        if originalIn.isEmpty, patchIn.isEmpty { return originalIn }
        let isMapList = patchIn.contains { $0.objectValue != nil } || originalIn.contains { $0.objectValue != nil }
        var original = originalIn
        var patch: [JSONValue] = []
        var merged: [JSONValue]
        if !isMapList {
            patch = patchIn
            merged = original
            for item in patchIn where !merged.contains(item) { merged.append(item) }
        } else {
            guard let mergeKey = fieldMeta.mergeKey else {
                throw PatchError("cannot merge lists without merge key")
            }
            // Special elements: {"$patch": "delete", key: v} removes; {"$patch": "replace"} replaces all.
            var replace = false
            for item in patchIn {
                guard case .object(let object) = item else { throw PatchError("list items must all be objects to merge by \(mergeKey)") }
                guard let d = object[directive] else {
                    patch.append(item)
                    continue
                }
                switch d.stringValue {
                case "delete":
                    guard let keyValue = object[mergeKey] else {
                        throw PatchError("map: \(item.jsonString()) does not contain declared merge key: \(mergeKey)")
                    }
                    original.removeAll { $0[mergeKey] == keyValue }
                case "replace":
                    replace = true
                case "merge":
                    throw PatchError("merging lists cannot yet be specified in the patch")
                default:
                    throw PatchError("Unknown patch type: \(d.jsonString()) in map: \(item.jsonString())")
                }
            }
            if replace {
                return try patch.map { try mergeValue(nil, $0, meta: FieldMeta(schema: itemSchema)) }
            }
            merged = original
            for item in patch {
                guard let keyValue = item[mergeKey] else {
                    throw PatchError("map: \(item.jsonString()) does not contain declared merge key: \(mergeKey)")
                }
                if let i = merged.firstIndex(where: { $0[mergeKey] == keyValue }), case .object(let o) = merged[i],
                   case .object(let p) = item
                {
                    merged[i] = .object(try mergeMap(o, p, schema: itemSchema))
                } else {
                    merged.append(try mergeValue(nil, item, meta: FieldMeta(schema: itemSchema)))
                }
            }
        }
        let mergeKey = isMapList ? fieldMeta.mergeKey : nil
        var patchItems: [JSONValue] = []
        var serverOnly: [JSONValue] = []
        for item in merged {
            if index(of: item, in: patch, mergeKey: mergeKey) != nil { patchItems.append(item) } else { serverOnly.append(item) }
        }
        return normalizeOrder(patchItems, serverOnly, patchOrder: patch, serverOrder: original, mergeKey: mergeKey)
    }

    static func index(of item: JSONValue, in list: [JSONValue], mergeKey: String?) -> Int? {
        if let mergeKey {
            guard let value = item[mergeKey] else { return nil }
            return list.firstIndex { $0[mergeKey] == value }
        }
        return list.firstIndex(of: item)
    }

    /// Sorts patch items by `patchOrder` and server-only items by `serverOrder`, then interleaves
    /// them: a server-only item goes before a patch item when both are in the live list and it
    /// came first there; otherwise the patch item goes first.
    static func normalizeOrder(_ patchItems: [JSONValue], _ serverOnly: [JSONValue], patchOrder: [JSONValue],
                               serverOrder: [JSONValue], mergeKey: String?) -> [JSONValue]
    {
        func sorted(_ items: [JSONValue], by order: [JSONValue]) -> [JSONValue] {
            items.enumerated().sorted { a, b in
                let ia = index(of: a.element, in: order, mergeKey: mergeKey) ?? Int.max
                let ib = index(of: b.element, in: order, mergeKey: mergeKey) ?? Int.max
                return ia != ib ? ia < ib : a.offset < b.offset
            }.map(\.element)
        }
        let right = sorted(patchItems, by: patchOrder)
        let left = sorted(serverOnly, by: serverOrder)
        var out: [JSONValue] = []
        out.reserveCapacity(left.count + right.count)
        var i = 0
        var j = 0
        while i < left.count || j < right.count {
            if i >= left.count {
                out.append(right[j]); j += 1
            } else if j >= right.count {
                out.append(left[i]); i += 1
            } else {
                let li = index(of: left[i], in: serverOrder, mergeKey: mergeKey)
                let ri = index(of: right[j], in: serverOrder, mergeKey: mergeKey)
                if let li, let ri, li < ri {
                    out.append(left[i]); i += 1
                } else {
                    out.append(right[j]); j += 1
                }
            }
        }
        return out
    }
}
