#if canImport(Glibc)
import Glibc
#endif
import CLinuxSystem
import Foundation
import LinuxSystem

/// Runs work on a fresh OS thread that exits afterwards. Network, ipc and uts namespaces
/// belong to a thread, not a process: a thread may `unshare` or `setns` into them without
/// affecting the agent's other threads, and since the thread ends with the work, no
/// pool thread is ever left in a pod's namespace.
enum NamespaceThread {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.start()
        }
    }

    /// Runs `body` inside the network namespace bind-mounted at `path` (sockets it creates
    /// stay in that namespace after the thread ends).
    static func run<T: Sendable>(inNetworkNamespace path: String, _ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await run {
            try enter(path, kind: .network)
            return try body()
        }
    }

    /// Joins the namespace at `path` on the calling thread (only on a thread of `run`).
    static func enter(_ path: String, kind: NamespaceKind) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SystemError.current("open \(path)") }
        defer { close(fd) }
        guard csys_setns(fd, kind.cloneFlag) == 0 else { throw SystemError.current("setns \(path)") }
    }
}
