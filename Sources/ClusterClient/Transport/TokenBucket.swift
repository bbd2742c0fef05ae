import Synchronization

/// Client-side request rate limit (client-go's QPS/Burst): a bucket of `burst` tokens refilled
/// at `queriesPerSecond`. Each caller reserves the next token under a lock and then sleeps
/// until its reserved instant, so waiting callers are served in arrival order and no lock is
/// held across the sleep.
final class TokenBucket: Sendable {
    private struct State {
        var tokens: Double
        var last: ContinuousClock.Instant
    }

    let queriesPerSecond: Double
    let burst: Double
    private let state: Mutex<State>

    init(queriesPerSecond: Double, burst: Int) {
        self.queriesPerSecond = max(queriesPerSecond, 0.001)
        self.burst = Double(max(burst, 1))
        self.state = Mutex(State(tokens: Double(max(burst, 1)), last: .now))
    }

    /// How long the caller must wait for its token (zero when one is available now). The token
    /// is taken either way: the bucket may go negative, which is the queue of waiters.
    func reserve(now: ContinuousClock.Instant = .now) -> Duration {
        state.withLock { state in
            let elapsed = now - state.last
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            state.tokens = min(burst, state.tokens + seconds * queriesPerSecond)
            state.last = now
            state.tokens -= 1
            if state.tokens >= 0 { return .zero }
            return .seconds(-state.tokens / queriesPerSecond)
        }
    }

    /// Waits for a token.
    func acquire() async throws {
        let wait = reserve()
        if wait > .zero { try await Task.sleep(for: wait) }
    }
}
