import Testing
@testable import Raft

@Suite("Leader election (§5.2, thesis §9.6)")
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

    @Test("§5.3 a leader replicates a proposal and every node applies it")
    func replicateProposal() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        try c.node(1).raw.propose(Array("hello".utf8))
        try c.settle()
        try c.tickAll(2)  // heartbeats carry the commit index to followers
        for id in c.ids {
            #expect(c.appliedData(id) == [Array("hello".utf8)])
        }
    }
}
