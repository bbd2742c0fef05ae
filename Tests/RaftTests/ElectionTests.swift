import Testing
@testable import Raft

/// Messages a lone node produced, after persisting its Ready into its storage.
private func drain(_ raw: RawNode, _ storage: MemoryStorage) throws -> [Message] {
    var out: [Message] = []
    while raw.hasReady() {
        let rd = raw.ready()
        if let hs = rd.hardState { storage.setHardState(hs) }
        try storage.append(rd.entries)
        out += rd.messages
        for e in rd.committedEntries where e.kind == .confChange {
            raw.applyConfChange(try ConfChange(decoding: e.data))
        }
        raw.advance(rd)
    }
    return out
}

/// A node of a 3-member group whose storage already holds `entries` (bootstrap excluded).
private func member(_ id: NodeID, preVote: Bool = false, checkQuorum: Bool = false,
                    entries: [Entry] = [], term: UInt64 = 0) throws -> (RawNode, MemoryStorage) {
    let storage = MemoryStorage()
    try storage.applySnapshot(Snapshot(metadata: SnapshotMetadata(index: 1, term: 1, confState: ConfState(voters: [1, 2, 3]))))
    try storage.append(entries)
    storage.setHardState(HardState(term: max(term, 1), vote: 0, commit: 1))
    let raw = try RawNode(config: RaftConfig(id: id, checkQuorum: checkQuorum, preVote: preVote, randomSeed: id), storage: storage)
    return (raw, storage)
}

@Suite("Leader election (§5.2, §5.4.1, thesis §9.6)")
struct ElectionTests {
    @Test("§5.2 a follower that hears no leader starts an election and wins with a majority")
    func followerTimesOut() throws {
        let c = try TestCluster(size: 3)
        #expect(c.leaders.isEmpty)
        try c.tickAll(25)
        #expect(c.leaders.count == 1)
        let leader = try #require(c.leaders.first)
        for id in c.ids {
            #expect(c.node(id).raw.status.softState.leader == leader)
        }
    }

    @Test("§5.2 election timeouts are randomized within [electionTick, 2*electionTick)")
    func randomizedTimeout() throws {
        var seen = Set<Int>()
        for seed in UInt64(1)...40 {
            let storage = MemoryStorage()
            let raw = try RawNode(config: RaftConfig(id: 1, electionTick: 10, preVote: false, randomSeed: seed),
                                  storage: storage, peers: [1, 2, 3])
            _ = try drain(raw, storage)  // applies the founding configuration
            var ticks = 0
            while raw.status.softState.role == .follower && ticks < 100 {
                raw.tick()
                ticks += 1
            }
            #expect((10..<20).contains(ticks), "seed \(seed) campaigned after \(ticks) ticks")
            seen.insert(ticks)
        }
        #expect(seen.count > 3, "timeouts should vary with the seed, saw \(seen.sorted())")
    }

    @Test("§5.2 a node grants at most one vote per term")
    func oneVotePerTerm() throws {
        let (raw, storage) = try member(1)
        try raw.step(Message(type: .requestVote, to: 1, from: 2, term: 2, logTerm: 1, index: 1))
        try raw.step(Message(type: .requestVote, to: 1, from: 3, term: 2, logTerm: 1, index: 1))
        let responses = try drain(raw, storage).filter { $0.type == .requestVoteResponse }
        #expect(responses.map(\.to) == [2, 3])
        #expect(responses.map(\.reject) == [false, true])
        #expect(storage.hardState.vote == 2, "the vote must be persisted before the response is sent")
        // Asking again (a retransmission) gets the same answer.
        try raw.step(Message(type: .requestVote, to: 1, from: 2, term: 2, logTerm: 1, index: 1))
        #expect(try drain(raw, storage).first?.reject == false)
    }

    @Test("§5.4.1 votes go only to candidates whose log is at least as up to date")
    func electionRestriction() throws {
        let log = [Entry(term: 2, index: 2), Entry(term: 3, index: 3)]
        // (candidate last term, candidate last index, granted?)
        let cases: [(UInt64, UInt64, Bool)] = [(2, 10, false), (3, 2, false), (3, 3, true), (3, 4, true), (4, 1, true)]
        for (lastTerm, lastIndex, granted) in cases {
            let (raw, storage) = try member(1, entries: log, term: 3)
            try raw.step(Message(type: .requestVote, to: 1, from: 2, term: 5, logTerm: lastTerm, index: lastIndex))
            let response = try #require(try drain(raw, storage).first { $0.type == .requestVoteResponse })
            #expect(response.reject == !granted, "candidate log ending \(lastIndex)@\(lastTerm)")
        }
    }

    @Test("§5.1 a message with a higher term turns a leader into a follower of that term")
    func higherTermDemotes() throws {
        let c = try TestCluster(size: 3, preVote: false, checkQuorum: false)
        try c.elect(1)
        let term = c.term(1)
        try c.node(1).raw.step(Message(type: .appendResponse, to: 1, from: 2, term: term + 3))
        try c.handleReady(1)
        #expect(c.role(1) == .follower)
        #expect(c.term(1) == term + 3)
    }

    @Test("§5.2 a candidate that hears from a leader of its term becomes its follower")
    func candidateYieldsToLeader() throws {
        let c = try TestCluster(size: 3, preVote: false, checkQuorum: false)
        try c.elect(1)
        c.isolate(2)
        try c.node(2).raw.campaign()
        try c.settle()
        #expect(c.role(2) == .candidate)
        c.heal()
        // The candidate's higher term unseats the old leader; whoever wins, 2 ends as a
        // follower or leader of a single leader's term.
        try c.tickAll(40)
        #expect(c.leaders.count == 1)
        let leader = try #require(c.leaders.first)
        #expect(c.ids.allSatisfy { c.node($0).raw.status.softState.leader == leader })
    }

    @Test("thesis §9.6 pre-vote: a partitioned node does not raise its term and cannot disrupt the leader on return")
    func preVoteProtectsLeader() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        let term = c.term(1)
        c.isolate(3)
        for _ in 0..<100 {
            c.node(3).raw.tick()
            try c.settle()
        }
        #expect(c.term(3) == term, "pre-candidates must not raise their term")
        #expect(c.role(3) == .preCandidate)
        c.heal()
        try c.tickAll(30)
        #expect(c.leaders == [1])
        #expect(c.term(1) == term)
    }

    @Test("without pre-vote a returning partitioned node forces a new term (the problem pre-vote solves)")
    func withoutPreVoteTermsInflate() throws {
        let c = try TestCluster(size: 3, preVote: false, checkQuorum: false)
        try c.elect(1)
        let term = c.term(1)
        c.isolate(3)
        for _ in 0..<100 {
            c.node(3).raw.tick()
            try c.settle()
        }
        #expect(c.term(3) > term + 2)
        c.heal()
        try c.tickAll(40)
        #expect(c.term(1) > term)
    }

    @Test("thesis §9.6 check-quorum: a leader cut off from the majority steps down within an election timeout")
    func checkQuorumStepsDown() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        c.isolate(1)
        for _ in 0..<25 {
            c.node(1).raw.tick()
            try c.settle()
        }
        #expect(c.role(1) == .follower)
    }

    @Test("thesis §9.6 leases: a follower that heard from its leader ignores vote requests")
    func leaseIgnoresVotes() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        let term = c.term(1)
        let since = c.sent.count
        try c.node(2).raw.step(Message(type: .requestVote, to: 2, from: 3, term: term + 1, logTerm: 100, index: 100))
        try c.handleReady(2)
        #expect(c.sentMessages(.requestVoteResponse, since: since).isEmpty)
        #expect(c.term(2) == term)
    }
}
