import Raft

/// One simulated member: its durable storage (what it persisted per the Ready contract), its
/// volatile Raft and state machine (lost on a crash), and the log-matching bookkeeping.
final class SimNode {
    let id: NodeID
    let storage = MemoryStorage()
    var raw: RawNode?
    var machine = KVStateMachine()
    var applied: UInt64 = 0
    var confState = ConfState()
    /// The commit index as of the last fsync; a crash loses later commit-only updates.
    var syncedCommit: UInt64 = 0
    /// ReadIndex answers waiting for the state machine to reach their index.
    var pendingReads: [ReadState] = []
    var restarts = 0

    /// Prefix hashes of this node's persisted log, `prefix[i]` for index `prefixStart + i`.
    var prefix: [UInt64] = [0]
    var prefixStart: UInt64 = 0

    init(id: NodeID) {
        self.id = id
    }

    var isUp: Bool { raw != nil }

    func config(seed: UInt64, electionTick: Int, heartbeatTick: Int) -> RaftConfig {
        RaftConfig(id: id, electionTick: electionTick, heartbeatTick: heartbeatTick, applied: applied,
                   maxSizePerMsg: 4096, maxInflightMsgs: 8, checkQuorum: true, preVote: true,
                   randomSeed: seed &+ id &* 1_000_003 &+ UInt64(restarts))
    }

    func recordPersisted(_ entries: [Entry], invariants: Invariants) {
        guard let first = entries.first else { return }
        if first.index <= prefixStart { return }
        let keep = Int(first.index - prefixStart)
        guard keep <= prefix.count else {
            invariants.fail("node \(id) persisted entries from \(first.index) past the end of its log")
            return
        }
        prefix.removeSubrange(keep...)
        let hashes = invariants.observePersisted(entries, previous: prefix[keep - 1], node: id)
        prefix.append(contentsOf: hashes)
    }

    func recordSnapshot(_ s: Snapshot, invariants: Invariants) {
        prefixStart = s.metadata.index
        if let h = invariants.prefixHash(index: s.metadata.index, term: s.metadata.term) {
            prefix = [h]
        } else {
            invariants.fail("node \(id) installed a snapshot at \(s.metadata.index)@\(s.metadata.term) that no node ever logged")
            prefix = [0]
        }
    }

    /// Drops the volatile state: what a crash does.
    func crash() {
        raw = nil
        pendingReads = []
        machine = KVStateMachine()
    }
}
