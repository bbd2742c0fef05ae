import Testing
@testable import Raft

@Suite("Membership changes (§6, thesis §4.1 single-server changes)")
struct MembershipTests {
    @Test("§6 a learner receives the log but neither votes for commits nor campaigns")
    func learnerCatchesUp() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        try c.node(1).raw.propose(Array("before".utf8))
        try c.settle()
        try c.addEmptyNode(4)
        try c.node(1).raw.proposeConfChange(ConfChange(kind: .addLearner, nodeID: 4))
        try c.settle()
        try c.tickAll(5)
        #expect(c.node(1).raw.status.confState.learners == [4])
        #expect(c.appliedData(4) == [Array("before".utf8)], "the learner replays the log")
        #expect(c.node(1).raw.status.progress[4]?.isLearner == true)
        // A learner never campaigns, however long it waits.
        c.isolate(4)
        try c.tick(4, times: 100)
        #expect(c.role(4) == .follower)
        // Commits do not wait for it: with 2 and 3 down nothing commits although the learner acks.
        c.heal()
        c.isolate(2)
        c.isolate(3)
        try c.node(1).raw.propose(Array("not yet".utf8))
        try c.settle()
        #expect(!c.appliedData(1).contains(Array("not yet".utf8)))
    }

    @Test("§6 promoting a caught-up learner makes it a voter that counts towards the majority")
    func promoteLearner() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        try c.addEmptyNode(4)
        try c.node(1).raw.proposeConfChange(ConfChange(kind: .addLearner, nodeID: 4))
        try c.settle()
        try c.tickAll(3)
        try c.node(1).raw.proposeConfChange(ConfChange(kind: .addNode, nodeID: 4))
        try c.settle()
        try c.tickAll(3)
        for id in c.ids {
            #expect(c.node(id).raw.status.confState == ConfState(voters: [1, 2, 3, 4], learners: []), "node \(id)")
        }
        // With four voters, three are needed: 1 and 4 alone cannot commit; 1, 2 and 4 can.
        c.isolate(2)
        c.isolate(3)
        try c.node(1).raw.propose(Array("needs 3".utf8))
        try c.settle()
        #expect(c.appliedData(1).isEmpty)
        c.heal()
        c.isolate(3)
        try c.tickAll(3)
        #expect(c.appliedData(1) == [Array("needs 3".utf8)])
        #expect(c.appliedData(4) == [Array("needs 3".utf8)])
    }

    @Test("§6 only one membership change may be pending at a time")
    func oneChangeAtATime() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        c.dropTypes = [.appendResponse]  // keep the first change uncommitted
        try c.node(1).raw.proposeConfChange(ConfChange(kind: .addLearner, nodeID: 4))
        try c.settle()
        #expect(throws: RaftError.pendingConfChange) {
            try c.node(1).raw.proposeConfChange(ConfChange(kind: .addLearner, nodeID: 5))
        }
        c.dropTypes = []
        try c.tickAll(3)
        try c.node(1).raw.proposeConfChange(ConfChange(kind: .addLearner, nodeID: 5))
    }

    @Test("§6 a new leader accepts a membership change only after committing an entry of its term")
    func newLeaderWaitsBeforeChange() throws {
        let c = try TestCluster(size: 3)
        c.dropTypes = [.appendResponse]
        try c.elect(1)
        #expect(c.role(1) == .leader)
        #expect(throws: RaftError.pendingConfChange) {
            try c.node(1).raw.proposeConfChange(ConfChange(kind: .removeNode, nodeID: 3))
        }
    }

    @Test("§6 removing a follower shrinks the majority; the removed node is no longer replicated to")
    func removeFollower() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        try c.node(1).raw.proposeConfChange(ConfChange(kind: .removeNode, nodeID: 3))
        try c.settle()
        try c.tickAll(2)
        #expect(c.node(1).raw.status.confState.voters == [1, 2])
        let since = c.sent.count
        try c.node(1).raw.propose(Array("two".utf8))
        try c.settle()
        try c.tickAll(2)
        #expect(c.sentMessages(.appendEntries, to: 3, since: since).isEmpty)
        #expect(c.appliedData(2) == [Array("two".utf8)])
    }

    @Test("§6 a leader that removes itself steps down and the rest elect a new leader")
    func removeLeader() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        try c.node(1).raw.proposeConfChange(ConfChange(kind: .removeNode, nodeID: 1))
        try c.settle()
        try c.tickAll(2)
        #expect(c.role(1) == .follower)
        try c.tickAll(50)
        let leaders = c.leaders
        #expect(leaders.count == 1)
        #expect(leaders.first != 1)
        let leader = try #require(leaders.first)
        try c.node(leader).raw.propose(Array("after".utf8))
        try c.settle()
        try c.tickAll(2)
        #expect(c.appliedData(2) == [Array("after".utf8)])
        #expect(c.appliedData(3) == [Array("after".utf8)])
    }

    @Test("a conf change round-trips through its entry encoding and bad bytes are named")
    func confChangeEncoding() throws {
        let cc = ConfChange(kind: .addLearner, nodeID: 0xDEAD_BEEF_0001, context: Array("10.0.0.4:2380".utf8))
        #expect(try ConfChange(decoding: cc.encoded()) == cc)
        #expect(throws: ConfChangeDecodingError.truncated(length: 3)) { try ConfChange(decoding: [1, 2, 3]) }
        var bad = cc.encoded()
        bad[1] = 9
        #expect(throws: ConfChangeDecodingError.unknownKind(9)) { try ConfChange(decoding: bad) }
        var short = cc.encoded()
        short.removeLast()
        #expect(throws: ConfChangeDecodingError.badContextLength(declared: 13, available: 12)) {
            try ConfChange(decoding: short)
        }
    }
}
