import NIOConcurrencyHelpers
import Raft

/// Work for the node loop, posted from any thread.
enum NodeInput: Sendable {
    case message(Message)
    case propose(requestID: UInt64, data: [UInt8])
    case proposeConfChange(requestID: UInt64, change: ConfChange)
    /// A linearizable read waits for the next ReadIndex round.
    case read(waiterID: UInt64)
    case unreachable(NodeID)
    case snapshotStatus(NodeID, success: Bool)
    case transferLeadership(to: NodeID)
    /// A lease keep-alive (`renew`) or time-to-live question for the leader's lease clock.
    case lease(waiterID: UInt64, id: Int64, renew: Bool)
    /// A peer says this member was removed from the cluster (see `PeerNotice`).
    case removedNotice(by: NodeID)
    case stop
}

/// The node loop's inbox: producers append under a lock and signal; the loop takes
/// everything queued at once. Taking the whole queue is what batches: every proposal that
/// arrived while the loop was busy fsyncing goes into the next Ready together.
final class NodeMailbox: Sendable {
    /// Condition value: 1 while inputs are waiting. Every access to `queue` happens while
    /// holding this lock, which is what makes the class safe to share.
    private let condition = ConditionLock(value: 0)
    private nonisolated(unsafe) var queue: [NodeInput] = []

    func post(_ input: NodeInput) {
        condition.lock()
        queue.append(input)
        condition.unlock(withValue: 1)
    }

    /// Everything queued, waiting at most `timeoutSeconds` for something to arrive.
    func take(waitingAtMost timeoutSeconds: Double) -> [NodeInput] {
        guard condition.lock(whenValue: 1, timeoutSeconds: max(0, timeoutSeconds)) else { return [] }
        let taken = queue
        queue.removeAll(keepingCapacity: true)
        condition.unlock(withValue: 0)
        return taken
    }
}
