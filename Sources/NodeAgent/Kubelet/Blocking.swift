import Dispatch

/// Runs blocking work (runtime calls wait on pids and files; image unpacking is heavy) on a
/// dispatch thread, so the cooperative pool — two threads on a small node — never stalls.
enum Blocking {
    static let queue = DispatchQueue(label: "skiff.kubelet.blocking", attributes: .concurrent)

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}
