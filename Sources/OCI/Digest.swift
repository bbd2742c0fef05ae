/// A content digest, `algorithm:encoded`, as the image-spec defines it.
///
/// The spec's grammar is `algorithm ":" encoded`, where the registered algorithms are
/// `sha256` (64 lowercase hex characters) and `sha512` (128). Parsing validates both parts so
/// that a digest can be used safely as a file name in a content store.
public struct Digest: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public enum Algorithm: String, Sendable, Codable, CaseIterable {
        case sha256, sha512
        /// Length of the lowercase hex encoding of this algorithm's output.
        public var hexLength: Int { self == .sha256 ? 64 : 128 }
    }

    public let algorithm: Algorithm
    /// The lowercase hex encoding of the hash.
    public let encoded: String

    public enum ParseError: Error, Equatable, CustomStringConvertible {
        case malformed(String)
        case unsupportedAlgorithm(String)
        public var description: String {
            switch self {
            case .malformed(let s): return "malformed digest \"\(s)\": expected algorithm:hex"
            case .unsupportedAlgorithm(let a): return "unsupported digest algorithm \"\(a)\" (sha256 and sha512 are accepted)"
            }
        }
    }

    public init(algorithm: Algorithm, encoded: String) throws {
        guard encoded.utf8.count == algorithm.hexLength,
              encoded.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) })
        else { throw ParseError.malformed("\(algorithm.rawValue):\(encoded)") }
        self.algorithm = algorithm
        self.encoded = encoded
    }

    public init(parsing string: String) throws {
        guard let colon = string.firstIndex(of: ":") else { throw ParseError.malformed(string) }
        let algo = String(string[..<colon])
        let hex = String(string[string.index(after: colon)...])
        guard let algorithm = Algorithm(rawValue: algo) else {
            // The grammar allows other algorithms; we refuse them explicitly rather than store
            // content we cannot verify.
            if algo.isEmpty || hex.isEmpty { throw ParseError.malformed(string) }
            throw ParseError.unsupportedAlgorithm(algo)
        }
        try self.init(algorithm: algorithm, encoded: hex)
    }

    public var description: String { "\(algorithm.rawValue):\(encoded)" }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let s = try container.decode(String.self)
        do { try self.init(parsing: s) } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\(error)")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public static func < (a: Digest, b: Digest) -> Bool { a.description < b.description }
}
