#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import OCI

/// Every failure of the image store, each naming what it was about: the blob, the archive
/// entry, the image, the registry request.
public enum ImageStoreError: Error, CustomStringConvertible, Sendable {
    /// A system call failed; `operation` names the call and the path.
    case system(operation: String, errno: Int32)
    /// Content did not hash to the digest it was stored or announced under.
    case digestMismatch(expected: Digest, actual: Digest, what: String)
    case sizeMismatch(expected: Int64, actual: Int64, what: String)
    case blobNotFound(Digest)
    /// A stored blob failed verification (e.g. a flipped bit on disk); it was removed.
    case corruptBlob(Digest, detail: String)
    case imageNotFound(String)
    /// A layer archive was refused; `entry` is the path inside the tar.
    case hostileEntry(entry: String, reason: String)
    /// A tar stream that is not well-formed.
    case malformedArchive(String)
    case limitExceeded(String)
    case decompression(String)
    case invalidImage(String)
    case unsupported(String)
    case registry(String)

    public var description: String {
        switch self {
        case .system(let op, let e): return "\(op): \(String(cString: strerror(e))) (errno \(e))"
        case .digestMismatch(let exp, let act, let what): return "\(what): digest mismatch: expected \(exp), got \(act)"
        case .sizeMismatch(let exp, let act, let what): return "\(what): size mismatch: expected \(exp) bytes, got \(act)"
        case .blobNotFound(let d): return "blob \(d) not found in the content store"
        case .corruptBlob(let d, let detail): return "blob \(d) is corrupt on disk (\(detail)); it was removed and must be fetched again"
        case .imageNotFound(let n): return "image \"\(n)\" not found"
        case .hostileEntry(let entry, let reason): return "refused archive entry \"\(entry)\": \(reason)"
        case .malformedArchive(let s): return "malformed archive: \(s)"
        case .limitExceeded(let s): return "limit exceeded: \(s)"
        case .decompression(let s): return "decompression failed: \(s)"
        case .invalidImage(let s): return "invalid image: \(s)"
        case .unsupported(let s): return "unsupported: \(s)"
        case .registry(let s): return s
        }
    }
}
