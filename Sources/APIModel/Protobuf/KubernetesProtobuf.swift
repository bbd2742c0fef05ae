import Foundation

/// A protobuf request body that could not be turned into JSON: unknown kind or malformed wire
/// data. The message names the kind and field so the 415/400 reply says what went wrong.
public struct ProtobufDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// A wire error inside a message, with the field path down to it (`spec`, `template`, …),
/// collected while the recursion unwinds.
struct ProtobufFieldError: Error {
    var path: [String]
    var reason: String

    var pathText: String {
        var text = ""
        for segment in path.reversed() {
            if segment.hasPrefix("[") || text.isEmpty { text += segment } else { text += "." + segment }
        }
        return text
    }
}

/// Decoder for `application/vnd.kubernetes.protobuf` bodies, which kubectl 1.32+ typed clients
/// send for `kubectl create <kind>`, `create token`, `auth can-i` and typed deletes.
///
/// The body is `k8s\0` followed by a runtime.Unknown {typeMeta{apiVersion, kind}, raw,
/// contentEncoding, contentType}; `raw` is the object in the k8s.io/api protobuf schema. The
/// result is the JSON the same Go object would marshal to: omitempty value fields left out when
/// zero, pointer fields kept, int64 as numbers, bytes as base64, times as RFC 3339, quantities
/// as strings, IntOrString as a number or a string.
public enum KubernetesProtobuf {
    public static let mediaType = "application/vnd.kubernetes.protobuf"

    static let magic: [UInt8] = [0x6b, 0x38, 0x73, 0x00]
    static let maxDepth = 64

    /// Decodes a `k8s\0` + runtime.Unknown envelope into exactly the JSON the same object would
    /// have been sent as. Throws ProtobufDecodingError (message names the kind/field) for
    /// malformed input or a kind it does not know (→ 415/400 with that message).
    public static func decode(_ bytes: [UInt8]) throws -> JSONValue {
        guard bytes.count >= magic.count, Array(bytes[0..<magic.count]) == magic else {
            throw ProtobufDecodingError("protobuf body does not start with the k8s\\0 envelope prefix")
        }
        let envelope = try Envelope(bytes, range: magic.count..<bytes.count)
        if !envelope.contentEncoding.isEmpty {
            throw ProtobufDecodingError("\(envelope.kind): unsupported protobuf content encoding \"\(envelope.contentEncoding)\"")
        }
        guard !envelope.kind.isEmpty else { throw ProtobufDecodingError("protobuf envelope carries no kind") }
        if envelope.contentType.hasPrefix("application/json") {
            // runtime.Unknown may wrap a JSON document; its bytes are the object as sent.
            guard case .object(var object)? = try? JSONValue.parse(bytes[envelope.raw]).value else {
                throw ProtobufDecodingError("\(envelope.kind): envelope says JSON but the raw bytes are not a JSON object")
            }
            if object["kind"] == nil { object["kind"] = .string(envelope.kind) }
            if object["apiVersion"] == nil, !envelope.apiVersion.isEmpty { object["apiVersion"] = .string(envelope.apiVersion) }
            return .object(object)
        }
        guard let message = messageName(apiVersion: envelope.apiVersion, kind: envelope.kind) else {
            throw ProtobufDecodingError("protobuf decoding of \(envelope.apiVersion.isEmpty ? "" : envelope.apiVersion + ", Kind=")\(envelope.kind) is not supported; send JSON")
        }
        var object = JSONObject()
        object["kind"] = .string(envelope.kind)
        if !envelope.apiVersion.isEmpty { object["apiVersion"] = .string(envelope.apiVersion) }
        do throws(ProtobufFieldError) {
            let body = try ProtobufJSONDecoder(bytes: bytes).message(message, range: envelope.raw, depth: 0)
            for (key, value) in body { object[key] = value }
        } catch {
            let at = error.path.isEmpty ? "" : " field \(error.pathText)"
            throw ProtobufDecodingError("\(envelope.kind)\(at): \(error.reason)")
        }
        return .object(object)
    }

    /// The schema message of an `apiVersion`/`kind`: `v1` → core.v1, `apps/v1` → apps.v1,
    /// `scheduling.k8s.io/v1` → scheduling.v1, `meta.k8s.io/v1` → meta.v1; option kinds such as
    /// DeleteOptions are meta.v1 messages whatever group they are sent for.
    static func messageName(apiVersion: String, kind: String) -> String? {
        let gv = GroupVersion(apiVersion: apiVersion)
        // The proto package is the group's first label: scheduling.k8s.io → scheduling,
        // rbac.authorization.k8s.io → rbac.
        let group = gv.group.isEmpty ? "core" : String(gv.group.prefix { $0 != "." })
        let schema = ProtobufSchema.shared
        let candidates = ["\(group).\(gv.version).\(kind)", "meta.v1.\(kind)"]
        return candidates.first { schema.messages[$0] != nil }
    }

    struct Envelope {
        var apiVersion = ""
        var kind = ""
        var raw: Range<Int> = 0..<0
        var contentEncoding = ""
        var contentType = ""

        init(_ bytes: [UInt8], range: Range<Int>) throws(ProtobufDecodingError) {
            var reader = ProtobufReader(bytes, range: range)
            while let (number, wireType) = try reader.fieldHeader() {
                guard wireType == .lengthDelimited || !(1...4).contains(number) else {
                    throw ProtobufDecodingError("runtime.Unknown field \(number) has wire type \(wireType.rawValue), expected 2")
                }
                switch number {
                case 1:
                    var meta = ProtobufReader(bytes, range: try reader.lengthDelimited())
                    while let (field, type) = try meta.fieldHeader() {
                        if type == .lengthDelimited, field == 1 || field == 2 {
                            let text = try KubernetesProtobuf.string(bytes, try meta.lengthDelimited(), field: field == 1 ? "apiVersion" : "kind")
                            if field == 1 { apiVersion = text } else { kind = text }
                        } else {
                            try meta.skip(type, number: field)
                        }
                    }
                case 2: raw = try reader.lengthDelimited()
                case 3: contentEncoding = try KubernetesProtobuf.string(bytes, try reader.lengthDelimited(), field: "contentEncoding")
                case 4: contentType = try KubernetesProtobuf.string(bytes, try reader.lengthDelimited(), field: "contentType")
                default: try reader.skip(wireType, number: number)
                }
            }
        }
    }

    static func string(_ bytes: [UInt8], _ range: Range<Int>, field: String) throws(ProtobufDecodingError) -> String {
        guard let s = String(bytes: bytes[range], encoding: .utf8) else {
            throw ProtobufDecodingError("\(field): invalid UTF-8 in string")
        }
        return s
    }
}
