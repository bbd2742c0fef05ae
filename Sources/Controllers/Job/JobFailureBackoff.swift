import Foundation
import Synchronization

/// The delay before a Job replaces failed pods: `base` doubled for every further failure,
/// capped at `maximum` (Kubernetes: 10 s doubling up to 6 minutes), counted from when the
/// controller first saw the latest failure.
final class JobFailureBackoff: Sendable {
    let base: Duration
    let maximum: Duration
    private let seen = Mutex<[String: (failures: Int, at: ContinuousClock.Instant)]>([:])

    init(base: Duration, maximum: Duration) {
        self.base = base
        self.maximum = maximum
    }

    static func delay(failures: Int, base: Duration, maximum: Duration) -> Duration {
        guard failures > 0 else { return .zero }
        var delay = base
        for _ in 1..<failures {
            delay = delay * 2
            if delay >= maximum { return maximum }
        }
        return min(delay, maximum)
    }

    /// How long the Job `key` with `failures` failed pods must still wait before creating
    /// pods (zero when it may create now).
    func remaining(_ key: String, failures: Int) -> Duration {
        guard failures > 0 else { return .zero }
        let now = ContinuousClock.now
        let since = seen.withLock { seen -> ContinuousClock.Instant in
            if let entry = seen[key], entry.failures == failures { return entry.at }
            seen[key] = (failures, now)
            return now
        }
        let wait = Self.delay(failures: failures, base: base, maximum: maximum) - (now - since)
        return wait > .zero ? wait : .zero
    }

    func forget(_ key: String) { _ = seen.withLock { $0.removeValue(forKey: key) } }
}
