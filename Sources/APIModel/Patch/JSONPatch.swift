/// A patch that cannot be applied; the message names the operation and path.
public struct PatchError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// RFC 6902 JSON Patch (`application/json-patch+json`).
public enum JSONPatch {
    /// Applies the operations in order; the document is unchanged if any fails.
    public static func apply(_ patch: JSONValue, to document: JSONValue) throws -> JSONValue {
        guard case .array(let operations) = patch else {
            throw PatchError("a JSON patch must be an array of operations, got \(patch.typeName)")
        }
        var doc = document
        for (index, operation) in operations.enumerated() {
            do {
                try apply(operation, to: &doc)
            } catch let error as PatchError {
                throw PatchError("json patch operation \(index): \(error.message)")
            } catch let error as JSONPointerError {
                throw PatchError("json patch operation \(index): \(error.description)")
            }
        }
        return doc
    }

    static func pointer(_ op: JSONValue, _ key: String) throws -> JSONPointer {
        guard let text = op[key]?.stringValue else { throw PatchError("missing \"\(key)\"") }
        return try JSONPointer(text)
    }

    static func apply(_ op: JSONValue, to doc: inout JSONValue) throws {
        guard case .object = op else { throw PatchError("an operation must be an object") }
        guard let name = op["op"]?.stringValue else { throw PatchError("missing \"op\"") }
        let path = try pointer(op, "path")
        switch name {
        case "add":
            guard let value = op["value"] else { throw PatchError("add \(path): missing \"value\"") }
            try add(value, at: path.tokens[...], in: &doc, pointer: path)
        case "remove":
            _ = try remove(at: path.tokens[...], in: &doc, pointer: path)
        case "replace":
            guard let value = op["value"] else { throw PatchError("replace \(path): missing \"value\"") }
            if path.tokens.isEmpty {
                doc = value
                return
            }
            _ = try remove(at: path.tokens[...], in: &doc, pointer: path)
            try add(value, at: path.tokens[...], in: &doc, pointer: path)
        case "move":
            let from = try pointer(op, "from")
            if from == path { return }
            if path.tokens.count > from.tokens.count, Array(path.tokens.prefix(from.tokens.count)) == from.tokens {
                throw PatchError("move \(from) to \(path): cannot move a value into one of its children")
            }
            let value = try remove(at: from.tokens[...], in: &doc, pointer: from)
            try add(value, at: path.tokens[...], in: &doc, pointer: path)
        case "copy":
            let from = try pointer(op, "from")
            guard let value = from.resolve(in: doc) else { throw PatchError("copy: source \(from) does not exist") }
            try add(value, at: path.tokens[...], in: &doc, pointer: path)
        case "test":
            guard let expected = op["value"] else { throw PatchError("test \(path): missing \"value\"") }
            guard let actual = path.resolve(in: doc) else { throw PatchError("test \(path): path does not exist") }
            if actual != expected { throw PatchError("testing value \(path) failed") }
        default:
            throw PatchError("unknown operation \"\(name)\"")
        }
    }

    static func add(_ value: JSONValue, at tokens: ArraySlice<String>, in doc: inout JSONValue, pointer: JSONPointer) throws {
        guard let token = tokens.first else {
            doc = value
            return
        }
        let rest = tokens.dropFirst()
        switch doc {
        case .object(var object):
            if rest.isEmpty {
                object[token] = value
            } else {
                guard object.contains(token) else { throw PatchError("add \(pointer): missing path element \"\(token)\"") }
                try object.modify(token) { child in
                    var c = child ?? .null
                    try add(value, at: rest, in: &c, pointer: pointer)
                    child = c
                }
            }
            doc = .object(object)
        case .array(var items):
            if rest.isEmpty {
                if token == "-" {
                    items.append(value)
                } else {
                    guard let i = JSONPointer.arrayIndex(token), i <= items.count else {
                        throw PatchError("add \(pointer): index \(token) is out of bounds (length \(items.count))")
                    }
                    items.insert(value, at: i)
                }
            } else {
                guard let i = JSONPointer.arrayIndex(token), i < items.count else {
                    throw PatchError("add \(pointer): index \(token) is out of bounds (length \(items.count))")
                }
                doc = .null
                try add(value, at: rest, in: &items[i], pointer: pointer)
            }
            doc = .array(items)
        default:
            throw PatchError("add \(pointer): cannot add a member to a \(doc.typeName)")
        }
    }

    static func remove(at tokens: ArraySlice<String>, in doc: inout JSONValue, pointer: JSONPointer) throws -> JSONValue {
        guard let token = tokens.first else { throw PatchError("cannot remove the whole document") }
        let rest = tokens.dropFirst()
        switch doc {
        case .object(var object):
            guard object.contains(token) else { throw PatchError("remove \(pointer): path does not exist") }
            let removed: JSONValue
            if rest.isEmpty {
                removed = object.removeValue(forKey: token) ?? .null
            } else {
                removed = try object.modify(token) { child in
                    var c = child ?? .null
                    let r = try remove(at: rest, in: &c, pointer: pointer)
                    child = c
                    return r
                }
            }
            doc = .object(object)
            return removed
        case .array(var items):
            guard let i = JSONPointer.arrayIndex(token), i < items.count else {
                throw PatchError("remove \(pointer): index \(token) is out of bounds (length \(items.count))")
            }
            let removed: JSONValue
            if rest.isEmpty {
                removed = items.remove(at: i)
            } else {
                doc = .null
                removed = try remove(at: rest, in: &items[i], pointer: pointer)
            }
            doc = .array(items)
            return removed
        default:
            throw PatchError("remove \(pointer): path does not exist")
        }
    }
}

/// RFC 7386 JSON merge patch (`application/merge-patch+json`): objects merge recursively,
/// `null` deletes, everything else (lists included) replaces.
public enum JSONMergePatch {
    public static func apply(_ patch: JSONValue, to target: JSONValue) -> JSONValue {
        guard case .object(let patchObject) = patch else { return patch }
        var result: JSONObject
        if case .object(let o) = target { result = o } else { result = JSONObject() }
        for (key, value) in patchObject {
            if value.isNull {
                result.removeValue(forKey: key)
            } else {
                result.modify(key) { existing in existing = apply(value, to: existing ?? .null) }
            }
        }
        return .object(result)
    }
}
