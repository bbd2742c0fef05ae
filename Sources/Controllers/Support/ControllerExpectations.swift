import Foundation
import Synchronization

/// What a controller is still waiting to see in its informer after acting (client-go's
/// ControllerExpectations). A controller records the creates and deletes it issued for an
/// owner and does not act on that owner again until the informer has observed them, or
/// until five minutes passed (an event lost for good must not block the owner forever).
/// Without this a slow cache would show too few pods and cause a second round of creates.
public final class ControllerExpectations: Sendable {
    struct Entry {
        var pendingCreates: Int
        var pendingDeletes: Set<String>
        var recordedAt: ContinuousClock.Instant
    }

    /// How long expectations hold before they are treated as satisfied anyway.
    public static let timeout: Duration = .seconds(300)

    private let entries = Mutex<[String: Entry]>([:])
    private let timeout: Duration

    public init(timeout: Duration = ControllerExpectations.timeout) {
        self.timeout = timeout
    }

    /// True when the owner may be reconciled: nothing outstanding, nothing recorded, or the
    /// record is older than the timeout.
    public func isSatisfied(_ key: String) -> Bool {
        entries.withLock { entries in
            guard let entry = entries[key] else { return true }
            if entry.pendingCreates <= 0 && entry.pendingDeletes.isEmpty { return true }
            return ContinuousClock.now - entry.recordedAt > timeout
        }
    }

    /// Records `count` creations about to be issued (replacing any earlier record).
    public func expectCreations(_ key: String, count: Int) {
        entries.withLock { $0[key] = Entry(pendingCreates: count, pendingDeletes: [], recordedAt: .now) }
    }

    /// Records deletions of the pods with these uids about to be issued.
    public func expectDeletions(_ key: String, uids: some Sequence<String>) {
        entries.withLock { $0[key] = Entry(pendingCreates: 0, pendingDeletes: Set(uids), recordedAt: .now) }
    }

    /// The informer showed a pod created for the owner (or a create failed and will not show).
    public func creationObserved(_ key: String, count: Int = 1) {
        entries.withLock { entries in entries[key]?.pendingCreates -= count }
    }

    /// The informer showed the pod deleted or being deleted (or the delete failed).
    public func deletionObserved(_ key: String, uid: String) {
        entries.withLock { entries in _ = entries[key]?.pendingDeletes.remove(uid) }
    }

    /// Forgets the owner (it was deleted).
    public func forget(_ key: String) {
        entries.withLock { _ = $0.removeValue(forKey: key) }
    }
}
