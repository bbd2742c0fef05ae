import Synchronization

/// Callers waiting for the node loop, by id. Whoever removes an entry first — the loop
/// with an outcome, the loop's deadline sweep (`expire`), or cancellation — resumes it, so
/// every waiter is resumed exactly once. Deadlines are swept by the loop on its tick rather
/// than by a timer task per request: a request costs one dictionary entry, nothing more.
final class Waiters<Value: Sendable>: Sendable {
    private struct Waiter {
        var continuation: CheckedContinuation<Value, any Error>
        var deadline: ContinuousClock.Instant
        var timeoutError: @Sendable () -> any Error
    }

    private let pending = Mutex<[UInt64: Waiter]>([:])

    /// Resumes the waiter, if it is still waiting. Returns whether one was.
    @discardableResult
    func resume(_ id: UInt64, with result: Result<Value, any Error>) -> Bool {
        guard let waiter = pending.withLock({ $0.removeValue(forKey: id) }) else { return false }
        waiter.continuation.resume(with: result)
        return true
    }

    func isWaiting(_ id: UInt64) -> Bool {
        pending.withLock { $0[id] != nil }
    }

    /// Fails every waiter whose deadline has passed with its timeout error.
    func expire(now: ContinuousClock.Instant) {
        let expired: [Waiter] = pending.withLock { pending in
            var expired: [Waiter] = []
            for (id, waiter) in pending where waiter.deadline <= now {
                expired.append(waiter)
                pending.removeValue(forKey: id)
            }
            return expired
        }
        for waiter in expired { waiter.continuation.resume(throwing: waiter.timeoutError()) }
    }

    /// Fails every waiter (the node stopped).
    func failAll(_ error: any Error) {
        let all = pending.withLock { pending in
            defer { pending.removeAll() }
            return Array(pending.values)
        }
        for waiter in all { waiter.continuation.resume(throwing: error) }
    }

    /// Waits for `id` to be resumed; the loop fails it with `timeoutError` once `timeout` has
    /// passed. `start` runs after registration (so the outcome cannot race past it).
    func wait(
        _ id: UInt64, timeout: Duration, timeoutError: @autoclosure @escaping @Sendable () -> any Error,
        start: () -> Void
    ) async throws -> Value {
        let deadline = ContinuousClock.now + timeout
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                pending.withLock {
                    $0[id] = Waiter(continuation: continuation, deadline: deadline, timeoutError: timeoutError)
                }
                start()
            }
        } onCancel: {
            self.resume(id, with: .failure(CancellationError()))
        }
    }
}
