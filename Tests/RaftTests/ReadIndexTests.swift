import Testing
@testable import Raft

@Suite("Linearizable reads through ReadIndex (§8, thesis §6.4)")
struct ReadIndexTests {
    @Test("§8 the leader answers a read after a heartbeat round confirms its leadership")
    func leaderRead() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        try c.node(1).raw.propose(Array("x".utf8))
        try c.settle()
        let since = c.sent.count
        c.node(1).raw.readIndex(context: Array("r1".utf8))
        try c.settle()
        #expect(!c.sentMessages(.heartbeat, since: since).filter { $0.context == Array("r1".utf8) }.isEmpty)
        #expect(c.node(1).readStates == [ReadState(index: c.node(1).raw.status.hardState.commit, requestContext: Array("r1".utf8))])
    }

    @Test("§8 a follower forwards a read to the leader and receives the read index")
    func followerRead() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        try c.node(1).raw.propose(Array("x".utf8))
        try c.settle()
        c.node(3).raw.readIndex(context: Array("r3".utf8))
        try c.settle()
        let rs = try #require(c.node(3).readStates.first)
        #expect(rs.requestContext == Array("r3".utf8))
        #expect(rs.index == c.node(1).raw.status.hardState.commit)
    }

    @Test("§8 a leader cut off from the majority never answers a read (no stale reads)")
    func partitionedLeaderCannotRead() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        c.isolate(1)
        c.node(1).raw.readIndex(context: Array("stale".utf8))
        try c.settle()
        try c.tick(1, times: 5)
        #expect(c.node(1).readStates.isEmpty)
    }

    @Test("§8 a new leader serves reads only after committing an entry of its own term")
    func newLeaderWaitsForItsTerm() throws {
        let c = try TestCluster(size: 3)
        c.dropTypes = [.appendResponse]
        try c.elect(1)
        #expect(c.role(1) == .leader)
        c.node(1).raw.readIndex(context: Array("early".utf8))
        try c.settle()
        #expect(c.node(1).readStates.isEmpty, "no entry of the new term is committed yet")
        c.dropTypes = []
        try c.tickAll(2)
        let rs = try #require(c.node(1).readStates.first)
        #expect(rs.requestContext == Array("early".utf8))
        #expect(rs.index >= c.node(1).raw.status.lastIndex - 0)
    }

    @Test("§8 a single-voter cluster answers reads at once")
    func singleNode() throws {
        let c = try TestCluster(size: 1)
        try c.elect(1)
        c.node(1).raw.readIndex(context: [7])
        try c.settle()
        #expect(c.node(1).readStates.map(\.requestContext) == [[7]])
    }
}
