import Synchronization

/// Mutable state shared between informer handlers (synchronous) and workers: a `Mutex` in a
/// class, so closures can capture it (a `Mutex` itself cannot be copied into them).
final class LockedState<State: Sendable>: Sendable {
    private let mutex: Mutex<State>

    init(_ initial: State) { mutex = Mutex(initial) }

    func withLock<R: Sendable>(_ body: (inout State) throws -> R) rethrows -> R {
        try mutex.withLock { try body(&$0) }
    }
}
