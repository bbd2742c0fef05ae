import Crypto
import NIOCore
import OCI

/// Hashes a blob as its bytes stream past, so an upload is verified without reading it back.
///
/// Uploads are hashed with SHA-256 while they are written (what every client asks for); a
/// client that completes with a SHA-512 digest gets the file re-read once with SHA-512.
struct BlobHasher: Sendable {
    private var sha256 = SHA256()

    mutating func update(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { sha256.update(bufferPointer: $0) }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        sha256.update(bufferPointer: bytes)
    }

    /// The SHA-256 digest of everything seen so far (the hasher itself stays usable).
    func sha256Digest() -> OCI.Digest {
        Self.digest(.sha256, hex: sha256.finalize().hexString)
    }

    /// Digest of `bytes` with `algorithm` (manifests, which arrive whole).
    static func digest(of bytes: [UInt8], algorithm: OCI.Digest.Algorithm) -> OCI.Digest {
        switch algorithm {
        case .sha256: return digest(.sha256, hex: SHA256.hash(data: bytes).hexString)
        case .sha512: return digest(.sha512, hex: SHA512.hash(data: bytes).hexString)
        }
    }

    /// SHA-512 of a file, read in chunks (the rare SHA-512 upload).
    static func sha512(ofFile path: String) throws -> OCI.Digest {
        var hasher = SHA512()
        try DiskIO.forEachChunk(ofFile: path) { hasher.update(bufferPointer: $0) }
        return digest(.sha512, hex: hasher.finalize().hexString)
    }

    /// SHA-256 state over a file's first `length` bytes: resumes an upload after a restart.
    static func resume(fromFile path: String, length: Int64) throws -> BlobHasher {
        var hasher = BlobHasher()
        try DiskIO.forEachChunk(ofFile: path, length: length) { hasher.update($0) }
        return hasher
    }

    private static func digest(_ algorithm: OCI.Digest.Algorithm, hex: String) -> OCI.Digest {
        // A hash function's hex output always has the algorithm's length and alphabet.
        guard let digest = try? OCI.Digest(algorithm: algorithm, encoded: hex) else {
            preconditionFailure("hash output \(hex) is not a valid \(algorithm) digest")
        }
        return digest
    }
}

extension Sequence where Element == UInt8 {
    /// Lowercase hex.
    var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(128)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
