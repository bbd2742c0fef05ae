/// Identifies one member of a Raft group. `0` means "none" (no leader, no vote).
public typealias NodeID = UInt64

/// One record of the replicated log.
public struct Entry: Sendable, Equatable {
    /// What the entry's `data` means to the layer above.
    public enum Kind: UInt8, Sendable {
        /// Application data, handed to the state machine when committed.
        case normal = 0
        /// An encoded `ConfChange`; the application calls `RawNode.applyConfChange` when it commits.
        case confChange = 1
    }

    public var term: UInt64
    public var index: UInt64
    public var kind: Kind
    public var data: [UInt8]

    public init(term: UInt64, index: UInt64, kind: Kind = .normal, data: [UInt8] = []) {
        self.term = term
        self.index = index
        self.kind = kind
        self.data = data
    }

    /// Approximate encoded size, used for flow control (`maxSizePerMsg`) only.
    @inlinable public var byteSize: UInt64 { UInt64(data.count) + 24 }
}

/// The state that must be on stable storage before any message that depends on it is sent.
public struct HardState: Sendable, Equatable {
    public var term: UInt64
    public var vote: NodeID
    public var commit: UInt64

    public init(term: UInt64 = 0, vote: NodeID = 0, commit: UInt64 = 0) {
        self.term = term
        self.vote = vote
        self.commit = commit
    }

    public var isEmpty: Bool { term == 0 && vote == 0 && commit == 0 }
}

/// The membership of the group: voters decide elections and commits; learners only receive the log.
public struct ConfState: Sendable, Equatable {
    public var voters: [NodeID]
    public var learners: [NodeID]

    public init(voters: [NodeID] = [], learners: [NodeID] = []) {
        self.voters = voters
        self.learners = learners
    }
}

/// Where a snapshot sits in the log and which membership was in force at that point.
public struct SnapshotMetadata: Sendable, Equatable {
    public var index: UInt64
    public var term: UInt64
    public var confState: ConfState

    public init(index: UInt64 = 0, term: UInt64 = 0, confState: ConfState = ConfState()) {
        self.index = index
        self.term = term
        self.confState = confState
    }
}

/// A state-machine image replacing every log entry up to `metadata.index`.
public struct Snapshot: Sendable, Equatable {
    public var metadata: SnapshotMetadata
    public var data: [UInt8]

    public init(metadata: SnapshotMetadata = SnapshotMetadata(), data: [UInt8] = []) {
        self.metadata = metadata
        self.data = data
    }

    /// A snapshot at index 0 carries nothing.
    public var isEmpty: Bool { metadata.index == 0 }
}

/// Message kinds. The raw values go on the wire between peers: never renumber them.
public enum MessageType: UInt8, Sendable, CaseIterable {
    /// Local: the election timer fired (or the caller asked for a campaign).
    case hup = 0
    /// Local: the leader's heartbeat timer fired.
    case beat = 1
    /// A client proposal; a follower forwards it to the leader.
    case propose = 2
    /// Leader → follower: entries to append after (`index`, `logTerm`), with the leader's commit.
    case appendEntries = 3
    /// Follower → leader: accept (`index` = last matching index) or reject (with a hint).
    case appendResponse = 4
    case requestVote = 5
    case requestVoteResponse = 6
    /// Leader → lagging follower: the whole state machine at a compacted point.
    case installSnapshot = 7
    case heartbeat = 8
    case heartbeatResponse = 9
    /// Local: the transport could not reach `from`.
    case unreachable = 10
    /// Local: the outcome of sending a snapshot to `from` (`reject` = failure).
    case snapshotStatus = 11
    /// Local: the leader checks it still hears from a quorum.
    case checkQuorum = 12
    /// Ask the leader to hand leadership to `from` (a follower forwards it to the leader).
    case transferLeader = 13
    /// Leader → transferee: start an election now, ignoring leases.
    case timeoutNow = 14
    /// Ask for a read index; `entries[0].data` is the request context.
    case readIndex = 15
    case readIndexResponse = 16
    case requestPreVote = 17
    case requestPreVoteResponse = 18

    /// Messages created and consumed inside one node, never sent over the network.
    public var isLocal: Bool {
        switch self {
        case .hup, .beat, .unreachable, .snapshotStatus, .checkQuorum: return true
        default: return false
        }
    }

    /// Responses, which never raise a node's term by themselves being old.
    public var isResponse: Bool {
        switch self {
        case .appendResponse, .requestVoteResponse, .heartbeatResponse, .readIndexResponse,
             .requestPreVoteResponse, .unreachable:
            return true
        default: return false
        }
    }
}

/// One Raft message. Fields unused by a given `type` are zero / empty.
public struct Message: Sendable, Equatable {
    public var type: MessageType
    public var to: NodeID
    public var from: NodeID
    public var term: UInt64
    /// Term of the entry at `index` (append) or of the candidate's last entry (votes).
    public var logTerm: UInt64
    public var index: UInt64
    public var entries: [Entry]
    public var commit: UInt64
    public var reject: Bool
    /// On a rejected append: the follower's best guess of where the logs might match.
    public var rejectHint: UInt64
    public var snapshot: Snapshot?
    /// Opaque bytes echoed back: ReadIndex request contexts on heartbeats, transfer markers on votes.
    public var context: [UInt8]

    public init(
        type: MessageType, to: NodeID = 0, from: NodeID = 0, term: UInt64 = 0,
        logTerm: UInt64 = 0, index: UInt64 = 0, entries: [Entry] = [], commit: UInt64 = 0,
        reject: Bool = false, rejectHint: UInt64 = 0, snapshot: Snapshot? = nil, context: [UInt8] = []
    ) {
        self.type = type
        self.to = to
        self.from = from
        self.term = term
        self.logTerm = logTerm
        self.index = index
        self.entries = entries
        self.commit = commit
        self.reject = reject
        self.rejectHint = rejectHint
        self.snapshot = snapshot
        self.context = context
    }
}

/// The answer to a ReadIndex request: once the state machine has applied `index`,
/// a read tagged `requestContext` is linearizable.
public struct ReadState: Sendable, Equatable {
    public var index: UInt64
    public var requestContext: [UInt8]

    public init(index: UInt64, requestContext: [UInt8]) {
        self.index = index
        self.requestContext = requestContext
    }
}

public enum Role: Sendable, Equatable {
    case follower, preCandidate, candidate, leader
}

/// Volatile state worth telling the application about (who leads, what this node is).
public struct SoftState: Sendable, Equatable {
    public var leader: NodeID
    public var role: Role

    public init(leader: NodeID, role: Role) {
        self.leader = leader
        self.role = role
    }
}
