import Foundation

// etcd's v3 JSON gateway (grpc-gateway over protobuf) writes 64-bit integers as strings,
// bytes as base64, and leaves out every field that holds its zero value. These wrappers
// give the wire structs exactly that shape with synthesized Codable: each encodes its
// value as etcd does, omits it when zero, and decodes a missing key as zero (so both
// etcd's output and a hand-written request with numbers instead of strings are read).

/// A 64-bit integer written as a JSON string; reads a string or a number.
@propertyWrapper
public struct JSONInteger<Value: FixedWidthInteger & Sendable & Codable>: Codable, Sendable, Hashable {
    public var wrappedValue: Value

    public init(wrappedValue: Value) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            guard let value = Value(text) else {
                throw DecodingError.dataCorruptedError(
                    in: container, debugDescription: "'\(text)' is not a valid \(Value.self)")
            }
            wrappedValue = value
        } else {
            wrappedValue = try container.decode(Value.self)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(String(wrappedValue))
    }
}

/// Bytes written as base64, as protobuf's JSON mapping does for `bytes` fields.
@propertyWrapper
public struct Base64Bytes: Codable, Sendable, Hashable {
    public var wrappedValue: [UInt8]

    public init(wrappedValue: [UInt8]) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let data = Data(base64Encoded: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "'\(text.prefix(40))' is not valid base64")
        }
        wrappedValue = [UInt8](data)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Data(wrappedValue).base64EncodedString())
    }
}

/// A boolean that is left out when false.
@propertyWrapper
public struct JSONFlag: Codable, Sendable, Hashable {
    public var wrappedValue: Bool

    public init(wrappedValue: Bool) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        wrappedValue = try decoder.singleValueContainer().decode(Bool.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)
    }
}

/// A list that is left out when empty.
@propertyWrapper
public struct JSONList<Element: Codable & Sendable & Hashable>: Codable, Sendable, Hashable {
    public var wrappedValue: [Element]

    public init(wrappedValue: [Element]) { self.wrappedValue = wrappedValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        wrappedValue = container.decodeNil() ? [] : try container.decode([Element].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(wrappedValue)
    }
}

extension KeyedDecodingContainer {
    public func decode<V>(_ type: JSONInteger<V>.Type, forKey key: Key) throws -> JSONInteger<V> {
        try decodeIfPresent(type, forKey: key) ?? JSONInteger(wrappedValue: 0)
    }

    public func decode(_ type: Base64Bytes.Type, forKey key: Key) throws -> Base64Bytes {
        try decodeIfPresent(type, forKey: key) ?? Base64Bytes(wrappedValue: [])
    }

    public func decode(_ type: JSONFlag.Type, forKey key: Key) throws -> JSONFlag {
        try decodeIfPresent(type, forKey: key) ?? JSONFlag(wrappedValue: false)
    }

    public func decode<E>(_ type: JSONList<E>.Type, forKey key: Key) throws -> JSONList<E> {
        try decodeIfPresent(type, forKey: key) ?? JSONList(wrappedValue: [])
    }
}

extension KeyedEncodingContainer {
    public mutating func encode<V>(_ value: JSONInteger<V>, forKey key: Key) throws {
        if value.wrappedValue != 0 { try encodeIfPresent(Optional(value), forKey: key) }
    }

    public mutating func encode(_ value: Base64Bytes, forKey key: Key) throws {
        if !value.wrappedValue.isEmpty { try encodeIfPresent(Optional(value), forKey: key) }
    }

    public mutating func encode(_ value: JSONFlag, forKey key: Key) throws {
        if value.wrappedValue { try encodeIfPresent(Optional(value), forKey: key) }
    }

    public mutating func encode<E>(_ value: JSONList<E>, forKey key: Key) throws {
        if !value.wrappedValue.isEmpty { try encodeIfPresent(Optional(value), forKey: key) }
    }
}
