import Foundation

/// Kubernetes' back-off for container restarts and image pulls: 10 s doubling to 5 min per
/// key. A crash-looping container's first restart is immediate (`firstIsFree`), the following
/// ones wait 10 s, 20 s, 40 s …; an image pull waits 10 s after its first failure.
struct Backoff: Sendable {
    var initial: TimeInterval = 10
    var maximum: TimeInterval = 300
    /// How long a container must have run for its next crash to start the back-off anew.
    var resetAfter: TimeInterval = 600

    private var failures: [String: Int] = [:]
    private var retryAt: [String: Date] = [:]

    init(initial: TimeInterval = 10, maximum: TimeInterval = 300, resetAfter: TimeInterval = 600) {
        self.initial = initial
        self.maximum = maximum
        self.resetAfter = resetAfter
    }

    /// The delay before the attempt that follows the `failureCount`-th consecutive failure.
    func delay(afterFailure failureCount: Int, firstIsFree: Bool) -> TimeInterval {
        let exponent = firstIsFree ? failureCount - 2 : failureCount - 1
        guard exponent >= 0 else { return 0 }
        guard exponent < 30 else { return maximum }
        return min(initial * pow(2, Double(exponent)), maximum)
    }

    /// Records a failure at `now` and returns when the next attempt may start.
    @discardableResult
    mutating func recordFailure(_ key: String, at now: Date, firstIsFree: Bool = false) -> Date {
        let count = (failures[key] ?? 0) + 1
        failures[key] = count
        let next = now.addingTimeInterval(delay(afterFailure: count, firstIsFree: firstIsFree))
        retryAt[key] = next
        return next
    }

    /// A container that exited after running `ranFor` seconds: a long enough run forgets
    /// earlier crashes (Kubernetes resets after 10 minutes of running).
    @discardableResult
    mutating func recordExit(_ key: String, ranFor: TimeInterval, at now: Date) -> Date {
        if ranFor >= resetAfter { reset(key) }
        return recordFailure(key, at: now, firstIsFree: true)
    }

    mutating func reset(_ key: String) {
        failures[key] = nil
        retryAt[key] = nil
    }

    /// When the key may be retried; nil when it is not backing off.
    func retryTime(_ key: String) -> Date? { retryAt[key] }

    func isBackingOff(_ key: String, at now: Date) -> Bool {
        guard let next = retryAt[key] else { return false }
        return now < next
    }

    func failureCount(_ key: String) -> Int { failures[key] ?? 0 }

    /// Forgets every key that starts with `prefix` (a pod's containers when the pod goes).
    mutating func forget(prefix: String) {
        for key in failures.keys where key.hasPrefix(prefix) { failures[key] = nil }
        for key in retryAt.keys where key.hasPrefix(prefix) { retryAt[key] = nil }
    }
}
