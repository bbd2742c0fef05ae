/// Parameters of one Raft member. Time is counted in ticks (calls to `RawNode.tick()`).
public struct RaftConfig: Sendable {
    /// This member's id; never 0.
    public var id: NodeID
    /// A follower that hears no leader for a random `electionTick ..< 2*electionTick` ticks
    /// starts an election. Must be greater than `heartbeatTick` (etcd uses 10× the heartbeat).
    public var electionTick: Int = 10
    /// A leader sends heartbeats every `heartbeatTick` ticks.
    public var heartbeatTick: Int = 1
    /// The last index the application has applied (after a restart); entries up to it are not
    /// handed out again as committed.
    public var applied: UInt64 = 0
    /// Upper bound on the entry bytes in one append message (at least one entry is always sent).
    public var maxSizePerMsg: UInt64 = 1 << 20
    /// How many appends may be in flight to one follower in the replicate state before the leader
    /// waits for acknowledgements (flow control).
    public var maxInflightMsgs: Int = 256
    /// The leader steps down when it has not heard from a quorum for an election timeout, and
    /// followers that heard from a leader within the timeout ignore vote requests (leases).
    public var checkQuorum = true
    /// A would-be candidate first asks whether it could win, without raising terms (thesis §9.6),
    /// so a partitioned node cannot disrupt the cluster when it comes back.
    public var preVote = true
    /// Seeds the election-timeout randomness. Distinct members should use distinct seeds.
    public var randomSeed: UInt64

    public init(
        id: NodeID, electionTick: Int = 10, heartbeatTick: Int = 1, applied: UInt64 = 0,
        maxSizePerMsg: UInt64 = 1 << 20, maxInflightMsgs: Int = 256, checkQuorum: Bool = true,
        preVote: Bool = true, randomSeed: UInt64? = nil
    ) {
        self.id = id
        self.electionTick = electionTick
        self.heartbeatTick = heartbeatTick
        self.applied = applied
        self.maxSizePerMsg = maxSizePerMsg
        self.maxInflightMsgs = maxInflightMsgs
        self.checkQuorum = checkQuorum
        self.preVote = preVote
        self.randomSeed = randomSeed ?? (id &* 0x9E37_79B9_7F4A_7C15)
    }

    func validate() throws {
        if id == 0 { throw RaftError.invalidConfig("id must not be 0 (0 means \"no node\")") }
        if heartbeatTick <= 0 { throw RaftError.invalidConfig("heartbeatTick must be positive, got \(heartbeatTick)") }
        if electionTick <= heartbeatTick {
            throw RaftError.invalidConfig("electionTick (\(electionTick)) must be greater than heartbeatTick (\(heartbeatTick))")
        }
        if maxInflightMsgs <= 0 { throw RaftError.invalidConfig("maxInflightMsgs must be positive, got \(maxInflightMsgs)") }
    }
}

/// Errors returned to callers of `RawNode`.
public enum RaftError: Error, Equatable {
    /// The proposal could not be accepted: no known leader, a leadership transfer in progress,
    /// or this node is not a member. Retry later (or elsewhere).
    case proposalDropped
    /// A membership change is still uncommitted/unapplied, or the leader has not yet committed
    /// an entry of its own term; only one change at a time is allowed.
    case pendingConfChange
    /// Local message types (hup, beat, …) may not be passed to `step` from the network.
    case stepLocalMessage
    /// A response came from a node that is not a member.
    case stepPeerNotFound
    /// The operation needs the leader.
    case notLeader
    /// The configuration is unusable; the message says why.
    case invalidConfig(String)
    /// Storage violated its contract or failed; Raft cannot continue safely.
    case storage(RaftStorageError)
}

/// SplitMix64: a tiny, fast, seedable generator, so a run can be replayed from its seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
