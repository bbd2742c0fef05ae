import Crypto
import OCI

/// Incremental hashing for the two digest algorithms the image-spec registers, so content is
/// verified while it streams (never buffered whole just to hash it).
struct DigestHasher {
    private enum State {
        case sha256(SHA256)
        case sha512(SHA512)
    }
    private var state: State
    let algorithm: OCI.Digest.Algorithm
    private(set) var count: Int64 = 0

    init(_ algorithm: OCI.Digest.Algorithm = .sha256) {
        self.algorithm = algorithm
        switch algorithm {
        case .sha256: state = .sha256(SHA256())
        case .sha512: state = .sha512(SHA512())
        }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        count += Int64(bytes.count)
        switch state {
        case .sha256(var h): h.update(bufferPointer: bytes); state = .sha256(h)
        case .sha512(var h): h.update(bufferPointer: bytes); state = .sha512(h)
        }
    }

    mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    func finalize() throws -> OCI.Digest {
        let bytes: [UInt8]
        switch state {
        case .sha256(let h): bytes = Array(h.finalize())
        case .sha512(let h): bytes = Array(h.finalize())
        }
        return try OCI.Digest(algorithm: algorithm, encoded: hexString(bytes))
    }

    static func digest(of bytes: [UInt8], _ algorithm: OCI.Digest.Algorithm = .sha256) throws -> OCI.Digest {
        var h = DigestHasher(algorithm)
        h.update(bytes)
        return try h.finalize()
    }
}

private let hexDigits = Array("0123456789abcdef".utf8)

func hexString(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count * 2)
    for b in bytes {
        out.append(hexDigits[Int(b >> 4)])
        out.append(hexDigits[Int(b & 0xf)])
    }
    return String(decoding: out, as: UTF8.self)
}

extension OCI.Digest {
    /// The sha256 digest of `bytes`.
    public static func sha256(of bytes: [UInt8]) throws -> OCI.Digest { try DigestHasher.digest(of: bytes) }
}
