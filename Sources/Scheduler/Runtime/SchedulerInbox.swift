import APIModel
import Synchronization

/// What reaches the scheduling loop from outside it: informer events and the outcome of
/// binding calls. The loop applies them between cycles, so the cache and the queue have a
/// single owner and need no locks.
enum SchedulerEvent: Sendable {
    case podAdded(JSONValue)
    case podUpdated(JSONValue)
    case podDeleted(JSONValue)
    case nodeAdded(JSONValue)
    case nodeUpdated(JSONValue)
    case nodeDeleted(JSONValue)
    case namespaceChanged(JSONValue, deleted: Bool)
    case bindingFinished(podKey: String, error: String?, notFound: Bool)
}

/// A mailbox with a wake-up: producers post from any thread; the loop drains it and sleeps
/// on it when idle (until a post or a deadline).
final class SchedulerInbox: Sendable {
    private struct State {
        var events: [SchedulerEvent] = []
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    func post(_ event: SchedulerEvent) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.events.append(event)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    func drain() -> [SchedulerEvent] {
        state.withLock { state in
            defer { state.events.removeAll(keepingCapacity: true) }
            return state.events
        }
    }

    /// Returns when an event is posted, at `deadline`, or on cancellation.
    func wait(until deadline: ContinuousClock.Instant?) async {
        let timer = Task { [weak self] in
            if let deadline { try? await Task.sleep(until: deadline, clock: .continuous) } else {
                while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            }
            self?.wake()
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if !state.events.isEmpty || Task.isCancelled { return true }
                    state.waiter = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            self.wake()
        }
        timer.cancel()
    }

    private func wake() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}
