/// A protobuf request body that could not be turned into JSON: unknown kind or malformed wire
/// data. The message names the kind and field so the 415/400 reply says what went wrong.
public struct ProtobufDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Decoder for `application/vnd.kubernetes.protobuf` bodies, which kubectl 1.32+ typed clients send.
public enum KubernetesProtobuf {
    public static let mediaType = "application/vnd.kubernetes.protobuf"

    /// Decodes a `k8s\0` + runtime.Unknown envelope into exactly the JSON the same object would
    /// have been sent as. Throws ProtobufDecodingError (message names the kind/field) for
    /// malformed input or a kind it does not know (→ 415/400 with that message).
    public static func decode(_ bytes: [UInt8]) throws -> JSONValue {
        throw ProtobufDecodingError("protobuf decoding is not implemented yet")
    }
}
