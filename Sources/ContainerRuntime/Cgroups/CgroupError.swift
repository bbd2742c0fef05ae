#if canImport(Glibc)
import Glibc
#endif

/// Every failure of the cgroup layer, carrying what was being done and where, so an error
/// message alone is enough to find the problem (the file, the value, the errno).
public enum CgroupError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call on a cgroup file or directory failed.
    case system(operation: String, path: String, errno: Int32)
    /// The cgroup path is not usable (absolute escape, `..`, empty component, NUL byte).
    case invalidPath(String, reason: String)
    /// A resource value in the OCI config cannot be applied (out of range, inconsistent).
    case invalidResource(String)
    /// The kernel or this hierarchy does not offer what the config asks for.
    case unsupported(String)
    /// A cgroup file held something we could not parse.
    case malformedFile(path: String, content: String)
    /// No cgroup filesystem was found where one was expected.
    case notMounted(String)
    /// Waiting for the kernel (e.g. a freeze) took longer than allowed.
    case timedOut(String)

    public var description: String {
        switch self {
        case let .system(operation, path, errno):
            let message = String(cString: strerror(errno))
            return "cgroup: \(operation) \(path): \(message) (errno \(errno))"
        case let .invalidPath(path, reason):
            return "cgroup: invalid cgroup path \"\(path)\": \(reason)"
        case let .invalidResource(message):
            return "cgroup: invalid resources: \(message)"
        case let .unsupported(message):
            return "cgroup: unsupported: \(message)"
        case let .malformedFile(path, content):
            return "cgroup: cannot parse \(path): \"\(content.prefix(200))\""
        case let .notMounted(message):
            return "cgroup: \(message)"
        case let .timedOut(message):
            return "cgroup: timed out: \(message)"
        }
    }

    /// The errno of a failed system call, if this is one.
    public var errno: Int32? {
        if case let .system(_, _, code) = self { return code }
        return nil
    }
}
