/// The Raft state machine of one member: terms, roles, elections and the dispatch of messages
/// (Raft paper §5, thesis §9.6 for pre-vote and check-quorum). It performs no I/O: outgoing
/// messages accumulate in `messages`, new entries in the log's unstable part, and `RawNode`
/// hands both to the application in a `Ready`.
final class Raft {
    let id: NodeID
    var term: UInt64 = 0
    var vote: NodeID = 0
    var role: Role = .follower
    var leader: NodeID = 0

    let log: RaftLog
    let tracker: ProgressTracker
    var readOnly = ReadOnly()
    var readStates: [ReadState] = []
    var messages: [Message] = []

    /// Set while a leadership transfer to this node is in progress; proposals are refused then.
    var leadTransferee: NodeID = 0
    /// Index of the latest conf change this leader proposed; a new one waits until it is applied.
    var pendingConfIndex: UInt64 = 0
    /// ReadIndex requests that arrived before this leader committed an entry of its term.
    var pendingReadIndexMessages: [Message] = []

    let maxSizePerMsg: UInt64
    let checkQuorum: Bool
    let preVote: Bool
    let electionTimeout: Int
    let heartbeatTimeout: Int
    var randomizedElectionTimeout: Int = 0
    /// Ticks since the last election timeout reset (followers/candidates) or check-quorum (leader).
    var electionElapsed = 0
    var heartbeatElapsed = 0
    private var random: SeededGenerator

    /// Marks vote requests of a leadership transfer, which bypass leases (thesis §3.10).
    static let campaignTransferContext: [UInt8] = Array("CampaignTransfer".utf8)

    init(config: RaftConfig, storage: RaftStorage) throws {
        try config.validate()
        id = config.id
        // Hand out committed entries in generous batches (a catching-up node applies in chunks).
        let (committedBatch, overflow) = max(config.maxSizePerMsg, 1).multipliedReportingOverflow(by: 64)
        log = try RaftLog(storage: storage, maxNextCommittedSize: overflow ? .max : committedBatch)
        tracker = ProgressTracker(maxInflight: config.maxInflightMsgs)
        maxSizePerMsg = config.maxSizePerMsg
        checkQuorum = config.checkQuorum
        preVote = config.preVote
        electionTimeout = config.electionTick
        heartbeatTimeout = config.heartbeatTick
        random = SeededGenerator(seed: config.randomSeed)

        let (hardState, confState) = try storage.initialState()
        tracker.setConfiguration(confState, lastIndex: log.lastIndex())
        if !hardState.isEmpty {
            guard hardState.commit >= log.committed && hardState.commit <= log.lastIndex() else {
                throw RaftError.invalidConfig(
                    "persisted commit index \(hardState.commit) is outside the stored log [\(log.committed), \(log.lastIndex())]: storage is corrupt or truncated")
            }
            log.committed = hardState.commit
            term = hardState.term
            vote = hardState.vote
        }
        if config.applied > 0 {
            guard config.applied <= log.committed else {
                throw RaftError.invalidConfig("applied index \(config.applied) is beyond the persisted commit index \(log.committed)")
            }
            log.applied = max(config.applied, log.applied)
        }
        becomeFollower(term: term, leader: 0)
    }

    var hardState: HardState { HardState(term: term, vote: vote, commit: log.committed) }
    var softState: SoftState { SoftState(leader: leader, role: role) }

    /// Whether this node may become leader: a voter with no snapshot waiting to be persisted.
    var promotable: Bool {
        tracker.isVoter(id) && log.unstable.snapshot == nil
    }

    // MARK: Role transitions

    func becomeFollower(term: UInt64, leader: NodeID) {
        reset(term: term)
        self.leader = leader
        role = .follower
    }

    func becomePreCandidate() {
        precondition(role != .leader, "raft: leader cannot become pre-candidate")
        // A pre-candidate keeps its term and vote: it only asks whether it could win.
        tracker.resetVotes()
        leader = 0
        role = .preCandidate
    }

    func becomeCandidate() {
        precondition(role != .leader, "raft: leader cannot become candidate")
        reset(term: term + 1)
        vote = id
        role = .candidate
    }

    func becomeLeader() {
        precondition(role != .follower, "raft: follower cannot become leader without an election")
        reset(term: term)
        leader = id
        role = .leader
        if let me = tracker.progress[id] { me.becomeReplicate() }
        // Conf changes already in the log may be uncommitted: wait for them before a new one.
        pendingConfIndex = log.lastIndex()
        // An empty entry of the new term commits everything before it (§5.4.2, §8).
        appendEntries([Entry(term: 0, index: 0)])
    }

    private func reset(term newTerm: UInt64) {
        if term != newTerm {
            term = newTerm
            vote = 0
        }
        leader = 0
        electionElapsed = 0
        heartbeatElapsed = 0
        resetRandomizedElectionTimeout()
        leadTransferee = 0
        tracker.resetVotes()
        tracker.resetProgress(selfID: id, lastIndex: log.lastIndex())
        pendingConfIndex = 0
        readOnly = ReadOnly()
        pendingReadIndexMessages.removeAll()
    }

    private func resetRandomizedElectionTimeout() {
        randomizedElectionTimeout = electionTimeout + Int.random(in: 0..<electionTimeout, using: &random)
    }

    var pastElectionTimeout: Bool { electionElapsed >= randomizedElectionTimeout }

    // MARK: Ticks

    func tick() {
        if role == .leader { tickHeartbeat() } else { tickElection() }
    }

    private func tickElection() {
        electionElapsed += 1
        if promotable && pastElectionTimeout {
            electionElapsed = 0
            _ = try? step(Message(type: .hup, from: id))
        }
    }

    private func tickHeartbeat() {
        heartbeatElapsed += 1
        electionElapsed += 1
        if electionElapsed >= electionTimeout {
            electionElapsed = 0
            if checkQuorum { _ = try? step(Message(type: .checkQuorum, from: id)) }
            // A transfer that did not finish within an election timeout is abandoned.
            if role == .leader && leadTransferee != 0 { leadTransferee = 0 }
        }
        guard role == .leader else { return }
        if heartbeatElapsed >= heartbeatTimeout {
            heartbeatElapsed = 0
            _ = try? step(Message(type: .beat, from: id))
        }
    }

    // MARK: Elections

    enum CampaignKind { case preElection, election, transfer }

    func hup(_ kind: CampaignKind) {
        if role == .leader { return }
        guard promotable else { return }
        // A node with committed but unapplied conf changes does not know its configuration yet.
        if log.applied < log.committed, hasConfChange(from: log.applied + 1, to: log.committed + 1) {
            return
        }
        campaign(kind)
    }

    private func hasConfChange(from lo: UInt64, to hi: UInt64) -> Bool {
        guard let entries = try? log.slice(lo, hi, maxBytes: .max) else { return false }
        return entries.contains { $0.kind == .confChange }
    }

    func campaign(_ kind: CampaignKind) {
        guard promotable else { return }
        let voteType: MessageType
        let voteTerm: UInt64
        if kind == .preElection {
            becomePreCandidate()
            voteType = .requestPreVote
            voteTerm = term + 1  // the term it would campaign in; not adopted yet
        } else {
            becomeCandidate()
            voteType = .requestVote
            voteTerm = term
        }
        if tracker.recordVote(from: id, granted: true).result == .won {
            // A single-voter cluster wins at once.
            if kind == .preElection { campaign(.election) } else { becomeLeader() }
            return
        }
        let lastIndex = log.lastIndex()
        let lastTerm = log.lastTerm()
        for peer in tracker.voters where peer != id {
            send(Message(type: voteType, to: peer, term: voteTerm, logTerm: lastTerm, index: lastIndex,
                         context: kind == .transfer ? Self.campaignTransferContext : []))
        }
    }

    private func poll(_ from: NodeID, granted: Bool) -> ProgressTracker.VoteResult {
        tracker.recordVote(from: from, granted: granted).result
    }

    // MARK: Messages

    /// Queues a message, stamping our id and (for most types) our term.
    func send(_ message: Message) {
        var m = message
        if m.from == 0 { m.from = id }  // forwarded messages keep their origin
        switch m.type {
        case .requestVote, .requestVoteResponse, .requestPreVote, .requestPreVoteResponse:
            precondition(m.term != 0, "raft: vote message \(m.type) without a term")
        case .propose, .readIndex:
            // Forwarded requests carry no term: they are not part of the leader's protocol.
            m.term = 0
        default:
            m.term = term
        }
        messages.append(m)
    }

    func step(_ m: Message) throws(RaftError) {
        if m.term == 0 {
            // Local message or forwarded request.
        } else if m.term > term {
            if m.type == .requestVote || m.type == .requestPreVote {
                let force = m.context == Self.campaignTransferContext
                let inLease = checkQuorum && leader != 0 && electionElapsed < electionTimeout
                if !force && inLease {
                    // We heard from a leader within the minimum election timeout: ignore this
                    // vote, so a removed or partitioned server cannot disrupt the cluster (§6).
                    return
                }
            }
            switch m.type {
            case .requestPreVote:
                break  // never change our term for a pre-vote
            case .requestPreVoteResponse where !m.reject:
                break  // we raise our term only when the pre-vote is won
            default:
                if m.type == .appendEntries || m.type == .heartbeat || m.type == .installSnapshot {
                    becomeFollower(term: m.term, leader: m.from)
                } else {
                    becomeFollower(term: m.term, leader: 0)
                }
            }
        } else if m.term < term {
            if (checkQuorum || preVote) && (m.type == .heartbeat || m.type == .appendEntries) {
                // A stale leader, perhaps cut off and unable to learn our term: tell it, so it
                // steps down (otherwise, with check-quorum or pre-vote, it might never hear).
                send(Message(type: .appendResponse, to: m.from))
            } else if m.type == .requestPreVote {
                send(Message(type: .requestPreVoteResponse, to: m.from, term: term, reject: true))
            }
            return
        }

        switch m.type {
        case .hup:
            hup(preVote ? .preElection : .election)
        case .requestVote, .requestPreVote:
            // §5.2: at most one vote per term; pre-votes may go to any future term.
            let canVote = vote == m.from
                || (vote == 0 && leader == 0)
                || (m.type == .requestPreVote && m.term > term)
            let responseType: MessageType = m.type == .requestVote ? .requestVoteResponse : .requestPreVoteResponse
            if canVote && log.isUpToDate(lastIndex: m.index, term: m.logTerm) {
                // The response carries the request's term: for a pre-vote our own is lower.
                send(Message(type: responseType, to: m.from, term: m.term))
                if m.type == .requestVote {
                    electionElapsed = 0
                    vote = m.from
                }
            } else {
                send(Message(type: responseType, to: m.from, term: term, reject: true))
            }
        default:
            switch role {
            case .leader: try stepLeader(m)
            case .candidate, .preCandidate: try stepCandidate(m)
            case .follower: try stepFollower(m)
            }
        }
    }

    private func stepCandidate(_ m: Message) throws(RaftError) {
        let myResponse: MessageType = role == .preCandidate ? .requestPreVoteResponse : .requestVoteResponse
        switch m.type {
        case .propose:
            throw .proposalDropped
        case .appendEntries:
            becomeFollower(term: m.term, leader: m.from)
            handleAppendEntries(m)
        case .heartbeat:
            becomeFollower(term: m.term, leader: m.from)
            handleHeartbeat(m)
        case .installSnapshot:
            becomeFollower(term: m.term, leader: m.from)
            handleSnapshot(m)
        case myResponse:
            switch poll(m.from, granted: !m.reject) {
            case .won:
                if role == .preCandidate {
                    campaign(.election)
                } else {
                    becomeLeader()
                    broadcastAppend()
                }
            case .lost:
                becomeFollower(term: term, leader: 0)
            case .pending:
                break
            }
        default:
            break  // timeoutNow, reads and the rest wait for a leader
        }
    }

    private func stepFollower(_ m: Message) throws(RaftError) {
        switch m.type {
        case .propose:
            guard leader != 0 else { throw .proposalDropped }
            var forwarded = m
            forwarded.to = leader
            send(forwarded)
        case .appendEntries:
            electionElapsed = 0
            leader = m.from
            handleAppendEntries(m)
        case .heartbeat:
            electionElapsed = 0
            leader = m.from
            handleHeartbeat(m)
        case .installSnapshot:
            electionElapsed = 0
            leader = m.from
            handleSnapshot(m)
        case .transferLeader:
            guard leader != 0 else { return }
            var forwarded = m
            forwarded.to = leader
            send(forwarded)
        case .timeoutNow:
            // The leader hands over: campaign at once, skipping pre-vote (thesis §3.10).
            hup(.transfer)
        case .readIndex:
            guard leader != 0 else { return }
            var forwarded = m
            forwarded.to = leader
            send(forwarded)
        case .readIndexResponse:
            guard m.entries.count == 1 else { return }
            readStates.append(ReadState(index: m.index, requestContext: m.entries[0].data))
        default:
            break
        }
    }

    // MARK: Follower side of replication

    func handleAppendEntries(_ m: Message) {
        if m.index < log.committed {
            send(Message(type: .appendResponse, to: m.from, index: log.committed))
            return
        }
        if let lastNew = log.maybeAppend(index: m.index, logTerm: m.logTerm, committed: m.commit, entries: m.entries) {
            send(Message(type: .appendResponse, to: m.from, index: lastNew))
        } else {
            // Fast repair: point the leader at the last entry that could possibly match.
            let guess = log.findConflictByTerm(index: min(m.index, log.lastIndex()), term: m.logTerm)
            send(Message(type: .appendResponse, to: m.from, logTerm: guess.term, index: m.index,
                         reject: true, rejectHint: guess.index))
        }
    }

    func handleHeartbeat(_ m: Message) {
        log.commitTo(m.commit)
        send(Message(type: .heartbeatResponse, to: m.from, context: m.context))
    }

    func handleSnapshot(_ m: Message) {
        guard let snapshot = m.snapshot else { return }
        if restore(snapshot) {
            send(Message(type: .appendResponse, to: m.from, index: log.lastIndex()))
        } else {
            send(Message(type: .appendResponse, to: m.from, index: log.committed))
        }
    }

    /// Installs a snapshot from the leader (§7); returns false if it brought nothing new.
    func restore(_ s: Snapshot) -> Bool {
        if s.metadata.index <= log.committed { return false }
        guard role == .follower else {
            // Only a leader of our term sends snapshots, and then we are its follower.
            becomeFollower(term: term + 1, leader: 0)
            return false
        }
        let cs = s.metadata.confState
        guard cs.voters.contains(id) || cs.learners.contains(id) else {
            // A snapshot of a configuration without us: we were removed; ignore it.
            return false
        }
        if log.matchTerm(s.metadata.index, s.metadata.term) {
            // We already have the log up to the snapshot: just fast-forward the commit.
            log.commitTo(s.metadata.index)
            return false
        }
        log.restore(s)
        tracker.setConfiguration(cs, lastIndex: log.lastIndex())
        tracker.resetProgress(selfID: id, lastIndex: log.lastIndex())
        return true
    }
}
