/// One Raft member, driven by its owner: the thread-safe, I/O-performing wrapper lives in the
/// layer above. Not Sendable: owned by a single task.
///
/// The loop that drives it:
/// ```
/// every tick interval: node.tick()
/// on a message from a peer: try node.step(message)
/// on a client write: try node.propose(bytes)          // or readIndex(context:)
/// while node.hasReady() {
///     let rd = node.ready()
///     persist rd.hardState, rd.entries, rd.snapshot (fsync if rd.mustSync)   // BEFORE sending
///     send rd.messages
///     apply rd.snapshot, then rd.committedEntries (applyConfChange for conf entries)
///     serve rd.readStates once their index is applied
///     node.advance(rd)
/// }
/// ```
/// Call `advance` for each `ready()` before calling `ready()` again.
public final class RawNode {
    let raft: Raft
    private var previousSoftState: SoftState
    private var previousHardState: HardState

    /// Creates a member from `storage`. `peers` is only for the very first start of a brand-new
    /// cluster: when storage is empty and `peers` lists the founding voters (including this
    /// node), their addition is written to the log as committed entries at term 1.
    /// When storage already holds state (a restart), `peers` is ignored: the membership comes
    /// from storage. A node joining an existing cluster passes no peers and learns the
    /// membership from the leader's log or snapshot.
    public init(config: RaftConfig, storage: RaftStorage, peers: [NodeID] = []) throws {
        var bootstrap = false
        if !peers.isEmpty {
            let last = try storage.lastIndex()
            let (hs, _) = try storage.initialState()
            bootstrap = last == 0 && hs.isEmpty
            if bootstrap && !peers.contains(config.id) {
                throw RaftError.invalidConfig("bootstrap peers \(peers) do not include this node \(config.id)")
            }
        }
        raft = try Raft(config: config, storage: storage)
        if bootstrap {
            raft.becomeFollower(term: 1, leader: 0)
            var entries: [Entry] = []
            for (i, peer) in peers.enumerated() {
                let cc = ConfChange(kind: .addNode, nodeID: peer)
                entries.append(Entry(term: 1, index: UInt64(i + 1), kind: .confChange, data: cc.encoded()))
            }
            raft.log.append(entries[...])
            // The founding configuration is known to everyone: commit it outright and apply it
            // now, so the node can campaign; the entries are still handed out as committed.
            raft.log.committed = UInt64(entries.count)
            for peer in peers {
                _ = raft.applyConfChange(ConfChange(kind: .addNode, nodeID: peer))
            }
        }
        previousSoftState = raft.softState
        previousHardState = bootstrap ? HardState() : raft.hardState
    }

    /// Advances the logical clock by one tick (elections, heartbeats, check-quorum).
    public func tick() { raft.tick() }

    /// Starts an election now (still via pre-vote when enabled).
    public func campaign() throws {
        try raft.step(Message(type: .hup, from: raft.id))
    }

    /// Proposes application data to be appended to the log. Throws `.proposalDropped` when no
    /// leader is known (a follower forwards to its leader; that forward can still be lost).
    public func propose(_ data: [UInt8]) throws {
        try raft.step(Message(type: .propose, from: raft.id, entries: [Entry(term: 0, index: 0, kind: .normal, data: data)]))
    }

    /// Proposes several entries at once: one append message per follower instead of one per
    /// entry (group commit). All are dropped together if the proposal is refused.
    public func propose(batch: [[UInt8]]) throws {
        guard !batch.isEmpty else { return }
        try raft.step(Message(type: .propose, from: raft.id,
                              entries: batch.map { Entry(term: 0, index: 0, kind: .normal, data: $0) }))
    }

    /// Proposes a membership change. The leader refuses (`.pendingConfChange`) while another
    /// change is not yet applied, or before it has committed an entry of its own term.
    public func proposeConfChange(_ cc: ConfChange) throws {
        try raft.step(Message(type: .propose, from: raft.id,
                              entries: [Entry(term: 0, index: 0, kind: .confChange, data: cc.encoded())]))
    }

    /// Feeds a message received from a peer.
    public func step(_ m: Message) throws {
        if m.type.isLocal { throw RaftError.stepLocalMessage }
        if m.type.isResponse && raft.tracker.progress[m.from] == nil {
            throw RaftError.stepPeerNotFound
        }
        try raft.step(m)
    }

    /// Asks for a linearizable read point. The answer arrives as a `ReadState` carrying
    /// `context` in a later `Ready`; none arrives if leadership is lost meanwhile, so callers
    /// time out and retry. `context` must be unique across the cluster (e.g. node id + counter).
    public func readIndex(context: [UInt8]) {
        _ = try? raft.step(Message(type: .readIndex, from: raft.id,
                                   entries: [Entry(term: 0, index: 0, data: context)]))
    }

    /// Asks the leader to hand leadership to `to` (which catches up first, then campaigns).
    public func transferLeadership(to transferee: NodeID) {
        _ = try? raft.step(Message(type: .transferLeader, to: raft.id, from: transferee))
    }

    /// Applies a committed membership change; call it for each committed `.confChange` entry.
    @discardableResult
    public func applyConfChange(_ cc: ConfChange) -> ConfState {
        raft.applyConfChange(cc)
    }

    public func hasReady() -> Bool {
        let r = raft
        if r.softState != previousSoftState { return true }
        let hs = r.hardState
        if !hs.isEmpty && hs != previousHardState { return true }
        if r.log.unstable.snapshot != nil { return true }
        if !r.messages.isEmpty || !r.readStates.isEmpty { return true }
        if !r.log.unstable.entries.isEmpty { return true }
        return r.log.hasNextCommittedEntries()
    }

    /// Collects what to persist, send and apply. Messages and read states are handed over now;
    /// the log cursors move in `advance`.
    public func ready() -> Ready {
        let r = raft
        var rd = Ready()
        let soft = r.softState
        if soft != previousSoftState {
            rd.softState = soft
            previousSoftState = soft
        }
        let hard = r.hardState
        if !hard.isEmpty && hard != previousHardState {
            rd.hardState = hard
            rd.mustSync = hard.term != previousHardState.term || hard.vote != previousHardState.vote
            previousHardState = hard
        }
        rd.readStates = r.readStates
        r.readStates.removeAll()
        rd.entries = r.log.unstableEntries()
        if !rd.entries.isEmpty { rd.mustSync = true }
        if let s = r.log.unstable.snapshot {
            rd.snapshot = s
            rd.mustSync = true
        }
        rd.committedEntries = r.log.nextCommittedEntries()
        rd.messages = r.messages
        r.messages.removeAll()
        return rd
    }

    /// Acknowledges that `rd` was persisted, sent and applied.
    public func advance(_ rd: Ready) {
        let r = raft
        if let last = rd.committedEntries.last {
            r.log.appliedTo(last.index)
        } else if let s = rd.snapshot {
            r.log.appliedTo(s.metadata.index)
        }
        if let last = rd.entries.last {
            r.log.stableTo(index: last.index, term: last.term)
        }
        if let s = rd.snapshot {
            r.log.stableSnapTo(s.metadata.index)
        }
        if r.role == .leader {
            // Reads that waited for this leader's first commit may go now.
            r.releasePendingReadIndexMessages()
        }
    }

    /// The transport could not deliver to `id`: the leader stops streaming to it and probes.
    public func reportUnreachable(_ id: NodeID) {
        _ = try? raft.step(Message(type: .unreachable, from: id))
    }

    /// The outcome of sending a snapshot to `id`.
    public func reportSnapshot(_ id: NodeID, success: Bool) {
        _ = try? raft.step(Message(type: .snapshotStatus, from: id, reject: !success))
    }

    public var status: RaftStatus {
        let r = raft
        var progress: [NodeID: PeerProgress] = [:]
        if r.role == .leader {
            for id in r.tracker.members {
                guard let p = r.tracker.progress[id] else { continue }
                progress[id] = PeerProgress(match: p.match, next: p.next, state: p.state,
                                            isLearner: p.isLearner, recentActive: p.recentActive)
            }
        }
        return RaftStatus(id: r.id, hardState: r.hardState, softState: r.softState, applied: r.log.applied,
                          lastIndex: r.log.lastIndex(), confState: r.tracker.confState,
                          leadTransferee: r.leadTransferee, progress: progress)
    }
}

/// A snapshot of a member's state, for diagnostics and for the layer above.
public struct RaftStatus: Sendable, Equatable {
    public var id: NodeID
    public var hardState: HardState
    public var softState: SoftState
    public var applied: UInt64
    public var lastIndex: UInt64
    public var confState: ConfState
    public var leadTransferee: NodeID
    /// Per member, only when this node is the leader.
    public var progress: [NodeID: PeerProgress]
}

/// The leader's view of one member.
public struct PeerProgress: Sendable, Equatable {
    public var match: UInt64
    public var next: UInt64
    public var state: ProgressState
    public var isLearner: Bool
    public var recentActive: Bool
}
