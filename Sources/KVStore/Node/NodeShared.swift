import Foundation
import Raft
import Synchronization

/// What the node loop publishes after every Ready, for readers on other threads (status,
/// member list, the promote check) — a copy, so they never touch the loop's state.
public struct NodeStatus: Sendable, Equatable {
    public var id: NodeID = 0
    public var leader: NodeID = 0
    public var role: Role = .follower
    public var term: UInt64 = 0
    public var commitIndex: UInt64 = 0
    public var appliedIndex: UInt64 = 0
    public var lastIndex: UInt64 = 0
    public var members = MemberTable()
    /// The leader's view of each member's replicated index (only on the leader).
    public var matchIndex: [NodeID: UInt64] = [:]
    public var isLearner = false
    /// False once the loop has stopped (or failed).
    public var running = true
}

/// State shared between the node loop (one thread) and the `StoreNode` facade (any task):
/// the mailbox and the waiters for outcomes. All members are themselves thread-safe.
final class NodeShared: Sendable {
    let mailbox = NodeMailbox()
    /// Proposals waiting for their entry to be applied, by request id.
    let proposals = Waiters<StoreResult>()
    /// Membership changes waiting to be applied, by request id.
    let confChanges = Waiters<MemberTable>()
    /// Linearizable reads waiting for a ReadIndex round and its apply, by waiter id.
    let reads = Waiters<Void>()
    /// Lease keep-alives and time-to-live questions, by waiter id.
    let leases = Waiters<LeaseAnswer>()
    let status = Mutex(NodeStatus())
    private let counter: Atomic<UInt64>
    let idPrefix: UInt64

    init(nodeID: NodeID) {  // any stable per-member number: the id, or a hash of the name
        // Request ids are (node id fold, 16 bits) | (counter, 48 bits). The counter starts at
        // the wall clock in microseconds, so ids of a restarted member never repeat those of
        // its previous life that may still sit in the log.
        let fold = UInt64(truncatingIfNeeded: (nodeID ^ (nodeID >> 16) ^ (nodeID >> 32) ^ (nodeID >> 48)) & 0xffff)
        idPrefix = fold << 48
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let start = (UInt64(now.tv_sec) &* 1_000_000 &+ UInt64(now.tv_nsec / 1000)) & 0xffff_ffff_ffff
        counter = Atomic(start)
    }

    func nextRequestID() -> UInt64 {
        let value = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return idPrefix | (value & 0xffff_ffff_ffff)
    }
}
