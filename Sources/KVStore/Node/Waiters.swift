import Synchronization

/// Callers waiting for the node loop, by id. Whoever removes an entry first — the loop
/// with an outcome, or the caller's deadline with a timeout — resumes it, so every waiter
/// is resumed exactly once.
final class Waiters<Value: Sendable>: Sendable {
    private let pending = Mutex<[UInt64: CheckedContinuation<Value, any Error>]>([:])

    func register(_ id: UInt64, _ continuation: CheckedContinuation<Value, any Error>) {
        pending.withLock { $0[id] = continuation }
    }

    /// Resumes the waiter, if it is still waiting. Returns whether one was.
    @discardableResult
    func resume(_ id: UInt64, with result: Result<Value, any Error>) -> Bool {
        guard let continuation = pending.withLock({ $0.removeValue(forKey: id) }) else { return false }
        continuation.resume(with: result)
        return true
    }

    func isWaiting(_ id: UInt64) -> Bool {
        pending.withLock { $0[id] != nil }
    }

    /// Fails every waiter (the node stopped).
    func failAll(_ error: any Error) {
        let all = pending.withLock { pending in
            defer { pending.removeAll() }
            return Array(pending.values)
        }
        for continuation in all { continuation.resume(throwing: error) }
    }

    /// Waits for `id` to be resumed, or fails it with `timeoutError` after `timeout`.
    /// `start` runs after registration (so the outcome cannot race past the registration).
    func wait(
        _ id: UInt64, timeout: Duration, timeoutError: @autoclosure @escaping @Sendable () -> any Error,
        start: () -> Void
    ) async throws -> Value {
        let deadline = Task {
            try await Task.sleep(for: timeout)
            self.resume(id, with: .failure(timeoutError()))
        }
        defer { deadline.cancel() }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                register(id, continuation)
                start()
            }
        } onCancel: {
            self.resume(id, with: .failure(CancellationError()))
        }
    }
}
