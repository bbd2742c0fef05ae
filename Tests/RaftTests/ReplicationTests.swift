import Testing
@testable import Raft

@Suite("Log replication and commitment (§5.3, §5.4.2)")
struct ReplicationTests {
    @Test("§5.3 a leader replicates a proposal and every node applies it in order")
    func replicateProposal() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        for i in 0..<5 { try c.node(1).raw.propose(Array("v\(i)".utf8)) }
        try c.settle()
        try c.tickAll(2)  // heartbeats carry the commit index to followers
        let expected = (0..<5).map { Array("v\($0)".utf8) }
        for id in c.ids {
            #expect(c.appliedData(id) == expected)
        }
    }

    @Test("§5.3 a proposal on a follower is forwarded to the leader")
    func followerForwards() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        try c.node(3).raw.propose(Array("via-3".utf8))
        try c.settle()
        try c.tickAll(2)
        #expect(c.sentMessages(.propose, to: 1).count == 1)
        for id in c.ids { #expect(c.appliedData(id) == [Array("via-3".utf8)]) }
    }

    @Test("§5.3 a proposal with no known leader is dropped with an error")
    func noLeaderDrops() throws {
        let c = try TestCluster(size: 3)
        #expect(throws: RaftError.proposalDropped) { try c.node(2).raw.propose([1]) }
    }

    @Test("§5.3 an entry is committed once stored on a majority, even with one follower down")
    func majorityCommits() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        c.isolate(3)
        try c.node(1).raw.propose(Array("x".utf8))
        try c.settle()
        try c.tickAll(2)
        #expect(c.appliedData(1) == [Array("x".utf8)])
        #expect(c.appliedData(2) == [Array("x".utf8)])
        #expect(c.appliedData(3).isEmpty)
        c.heal()
        try c.tickAll(3)
        #expect(c.appliedData(3) == [Array("x".utf8)], "the lagging follower catches up")
    }

    @Test("§5.4.2 a leader does not commit entries of previous terms by counting replicas")
    func onlyCurrentTermEntriesCommitByCount() throws {
        let storage = MemoryStorage()
        try storage.applySnapshot(Snapshot(metadata: SnapshotMetadata(index: 1, term: 1, confState: ConfState(voters: [1, 2, 3]))))
        try storage.append([Entry(term: 1, index: 2), Entry(term: 1, index: 3)])
        storage.setHardState(HardState(term: 1, vote: 0, commit: 1))
        let raw = try RawNode(config: RaftConfig(id: 1, preVote: false, randomSeed: 1), storage: storage)
        try raw.campaign()
        try raw.step(Message(type: .requestVoteResponse, to: 1, from: 2, term: 2))
        #expect(raw.status.softState.role == .leader)
        #expect(raw.status.lastIndex == 4, "the new leader appended an empty entry of its term")
        // A majority (1 and 2) now stores index 3, an entry of term 1: not committed by counting.
        try raw.step(Message(type: .appendResponse, to: 1, from: 2, term: 2, index: 3))
        #expect(raw.status.hardState.commit == 1)
        // Once the term-2 entry is on a majority, it and everything before it commit.
        try raw.step(Message(type: .appendResponse, to: 1, from: 2, term: 2, index: 4))
        #expect(raw.status.hardState.commit == 4)
    }

    @Test("§5.3 a follower's conflicting suffix is replaced by the leader's entries")
    func conflictingSuffixReplaced() throws {
        // No leases, so node 2 can be elected right away once 1 is cut off.
        let c = try TestCluster(size: 3, checkQuorum: false)
        try c.elect(1)
        // Node 1 writes entries no one else receives, then loses leadership.
        c.isolate(1)
        for i in 0..<3 { try c.node(1).raw.propose(Array("lost\(i)".utf8)) }
        try c.settle()
        try c.elect(2)
        #expect(c.role(2) == .leader)
        try c.node(2).raw.propose(Array("kept".utf8))
        try c.settle()
        c.heal()
        try c.tickAll(30)
        for id in c.ids {
            #expect(c.appliedData(id) == [Array("kept".utf8)], "node \(id)")
        }
        #expect(try c.node(1).storage.lastIndex() == c.node(2).storage.lastIndex())
    }

    @Test("§5.3 fast log repair: a long divergent suffix is skipped a term at a time, not an entry at a time")
    func fastLogRepair() throws {
        let c = try TestCluster(size: 3, checkQuorum: false)
        try c.elect(1)
        c.isolate(1)
        for i in 0..<50 { try c.node(1).raw.propose(Array("lost\(i)".utf8)) }
        try c.settle()
        try c.elect(2)
        for i in 0..<60 { try c.node(2).raw.propose(Array("kept\(i)".utf8)) }
        try c.settle()
        // A new leader starts probing node 1 at its own last index, far past the divergence.
        c.node(2).raw.transferLeadership(to: 3)
        try c.settle()
        #expect(c.role(3) == .leader)  // (the cut-off node 1 still believes it leads an old term)
        let since = c.sent.count
        c.heal()
        try c.tickAll(5)
        let rejections = c.sentMessages(.appendResponse, to: 3, since: since).filter { $0.from == 1 && $0.reject }
        #expect(!rejections.isEmpty)
        #expect(rejections.count <= 3, "expected a few rejections, got \(rejections.count)")
        #expect(c.appliedData(1) == (0..<60).map { Array("kept\($0)".utf8) })
    }

    @Test("§5.3 flow control: at most maxInflightMsgs appends are outstanding to a silent follower")
    func inflightWindow() throws {
        let c = try TestCluster(size: 3) { $0.maxInflightMsgs = 2 }
        try c.elect(1)
        try c.node(1).raw.propose([0])
        try c.settle()
        #expect(c.node(1).raw.status.progress[2]?.state == .replicate)
        // Node 2 stops acknowledging.
        c.filter = { !($0.type == .appendResponse && $0.from == 2) }
        let since = c.sent.count
        for i in 1...6 {
            try c.node(1).raw.propose([UInt8(i)])
            try c.settle()
        }
        // (Empty appends that only carry the commit index are not counted.)
        #expect(c.sentMessages(.appendEntries, to: 2, since: since).filter { !$0.entries.isEmpty }.count == 2)
        #expect(c.sentMessages(.appendEntries, to: 3, since: since).filter { !$0.entries.isEmpty }.count == 6)
        c.filter = { _ in true }
        try c.tickAll(3)
        #expect(c.appliedData(2).count == 7, "the stream resumes once acknowledgements return")
    }

    @Test("§5.3 pipelining: a follower in the replicate state receives appends without waiting for each answer")
    func pipelining() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        try c.node(1).raw.propose([0])
        try c.settle()
        c.filter = { !($0.type == .appendResponse) }
        let since = c.sent.count
        for i in 1...4 { try c.node(1).raw.propose([UInt8(i)]) }
        try c.settle()
        #expect(c.sentMessages(.appendEntries, to: 2, since: since).count == 4)
    }

    @Test("§5.3 a probing leader sends one append at a time to a follower whose log position is unknown")
    func probeOneAtATime() throws {
        let c = try TestCluster(size: 3)
        c.dropTypes = [.appendResponse]
        try c.elect(1)
        let since = c.sent.count
        for i in 1...4 { try c.node(1).raw.propose([UInt8(i)]) }
        try c.settle()
        #expect(c.node(1).raw.status.progress[2]?.state == .probe)
        #expect(c.sentMessages(.appendEntries, to: 2, since: since).isEmpty)
    }

    @Test("a batch proposal travels in one append per follower and applies in order")
    func batchProposal() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        try c.node(1).raw.propose([0])
        try c.settle()
        let since = c.sent.count
        let batch = (1...20).map { [UInt8($0)] }
        try c.node(1).raw.propose(batch: batch)
        try c.settle()
        #expect(c.sentMessages(.appendEntries, to: 2, since: since).filter { !$0.entries.isEmpty }.count == 1)
        try c.tickAll(1)
        #expect(c.appliedData(2) == [[0]] + batch)
    }

    @Test("lost appends are recovered through heartbeats")
    func lostAppendsRecovered() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        c.filter = { !($0.type == .appendEntries && $0.to == 3) }
        try c.node(1).raw.propose(Array("a".utf8))
        try c.settle()
        c.filter = { _ in true }
        try c.tickAll(3)
        #expect(c.appliedData(3) == [Array("a".utf8)])
    }
}
