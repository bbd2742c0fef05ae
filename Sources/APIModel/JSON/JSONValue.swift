/// A JSON document as a value tree.
///
/// Objects keep their key order so that what a client sent (and what the store holds) is
/// returned byte for byte; integers stay exact as `Int64` instead of being squeezed through
/// `Double`, because resource versions, UIDs-as-numbers and quantities must not lose digits.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// An integer literal that fits in 64 bits.
    case int(Int64)
    /// Any other number (fraction, exponent, or an integer too large for `Int64`).
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// `[:]`, the empty object.
    public static var emptyObject: JSONValue { .object(JSONObject()) }

    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }

    /// The value as an integer when it is one exactly (an `.int`, or a `.double` without fraction).
    public var intValue: Int64? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.2e18: return Int64(d)
        default: return nil
        }
    }

    public var doubleValue: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    /// The JSON type name as Kubernetes' OpenAPI validation spells it.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// Member access on objects; `nil` for other values or a missing key. Setting on a
    /// non-object turns it into an object (the natural behaviour for defaulting code).
    public subscript(key: String) -> JSONValue? {
        get { objectValue?[key] }
        set {
            var object: JSONObject
            if case .object(let o) = self { object = o } else { object = JSONObject() }
            self = .null  // drop our reference so the member arrays are mutated in place, not copied
            object[key] = newValue
            self = .object(object)
        }
    }

    /// Element access on arrays; `nil` when out of range or not an array.
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let a) = self, a.indices.contains(index) else { return nil }
        return a[index]
    }

    /// Walks a chain of object keys.
    public func value(at keys: [String]) -> JSONValue? {
        var current: JSONValue? = self
        for key in keys { current = current?[key] }
        return current
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var o = JSONObject()
        for (k, v) in elements { o[k] = v }
        self = .object(o)
    }
}

/// An insertion-ordered JSON object.
///
/// Kubernetes objects are small (a few dozen keys), so a pair of arrays with a linear scan
/// beats hashing; large maps (ConfigMap data) are only ever appended to while parsing, where
/// the parser keeps its own hash set for duplicate detection.
public struct JSONObject: Sendable, Equatable, Sequence {
    public private(set) var keys: [String]
    public private(set) var values: [JSONValue]

    public init() {
        keys = []
        values = []
    }

    public init(keys: [String], values: [JSONValue]) {
        precondition(keys.count == values.count, "JSONObject keys and values differ in count")
        self.keys = keys
        self.values = values
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    public func index(of key: String) -> Int? { keys.firstIndex(of: key) }

    public func contains(_ key: String) -> Bool { index(of: key) != nil }

    /// Reading returns the member; assigning `nil` removes it; assigning a value replaces it in
    /// place (keeping its position) or appends it.
    public subscript(key: String) -> JSONValue? {
        get {
            guard let i = index(of: key) else { return nil }
            return values[i]
        }
        set {
            if let i = index(of: key) {
                if let newValue {
                    values[i] = newValue
                } else {
                    keys.remove(at: i)
                    values.remove(at: i)
                }
            } else if let newValue {
                keys.append(key)
                values.append(newValue)
            }
        }
    }

    /// Appends without looking for an existing key: the parser's fast path, used only after
    /// it has checked for duplicates itself.
    mutating func appendUnchecked(_ key: String, _ value: JSONValue) {
        keys.append(key)
        values.append(value)
    }

    mutating func replaceValue(at index: Int, with value: JSONValue) {
        values[index] = value
    }

    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let i = index(of: key) else { return nil }
        keys.remove(at: i)
        return values.remove(at: i)
    }

    /// Updates a member in place without copying it out first (keeps nested arrays uniquely
    /// referenced so mutation does not copy them).
    public mutating func modify<R>(_ key: String, _ body: (inout JSONValue?) throws -> R) rethrows -> R {
        if let i = index(of: key) {
            var value: JSONValue? = values[i]
            values[i] = .null
            let result = try body(&value)
            if let value {
                values[i] = value
            } else {
                keys.remove(at: i)
                values.remove(at: i)
            }
            return result
        }
        var value: JSONValue? = nil
        let result = try body(&value)
        if let value { appendUnchecked(key, value) }
        return result
    }

    public func makeIterator() -> Zip2Sequence<[String], [JSONValue]>.Iterator {
        zip(keys, values).makeIterator()
    }

    /// Objects are equal when they have the same members, whatever their order (JSON semantics;
    /// used by JSON Patch `test` and by change detection).
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        if lhs.keys == rhs.keys { return lhs.values == rhs.values }
        for (k, v) in lhs {
            guard let other = rhs[k], other == v else { return false }
        }
        return true
    }
}

extension JSONValue {
    /// Numbers compare by value across the int/double split (`1 == 1.0`), as JSON does.
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)): return Double(a) == b && b.rounded() == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        default: return false
        }
    }

    /// Modifies an object member in place (see `JSONObject.modify`). On a non-object the value
    /// becomes an object first.
    public mutating func modify<R>(_ key: String, _ body: (inout JSONValue?) throws -> R) rethrows -> R {
        var object: JSONObject
        if case .object(let o) = self { object = o } else { object = JSONObject() }
        self = .null
        defer { self = .object(object) }
        return try object.modify(key, body)
    }

    /// Modifies every element of an array member in place; does nothing if it is absent.
    public mutating func modifyEach(_ key: String, _ body: (inout JSONValue) throws -> Void) rethrows {
        guard case .object(var object) = self, object.contains(key) else { return }
        self = .null
        defer { self = .object(object) }
        try object.modify(key) { member in
            guard case .array(var items)? = member else { return }
            member = .null
            for i in items.indices { try body(&items[i]) }
            member = .array(items)
        }
    }
}
