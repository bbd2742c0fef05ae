#if canImport(Glibc)
import Glibc
#endif

/// A failed system call: which operation (with the object it was applied to) and the errno.
/// Every syscall failure in the runtime surfaces as one of these, so messages always say
/// what was attempted and why the kernel refused.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    public var operation: String
    public var errno: Int32

    public init(operation: String, errno: Int32) {
        self.operation = operation
        self.errno = errno
    }

    /// The error for the calling thread's current `errno`.
    public static func current(_ operation: String) -> SystemError {
        SystemError(operation: operation, errno: Glibc.errno)
    }

    public var description: String {
        "\(operation): \(String(cString: strerror(errno))) (errno \(errno))"
    }
}

/// Runs `body`, turning a `-1` result into a `SystemError` for `operation`; retries `EINTR`.
@discardableResult
public func syscallChecked<T: BinaryInteger>(_ operation: @autoclosure () -> String, _ body: () -> T) throws(SystemError) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = Glibc.errno
        if code == EINTR { continue }
        throw SystemError(operation: operation(), errno: code)
    }
}
