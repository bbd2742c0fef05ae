import Testing
@testable import Raft

@Suite("Leadership transfer (thesis §3.10)")
struct LeadershipTransferTests {
    @Test("§3.10 an up-to-date follower takes over in the next term when the leader hands over")
    func transferToUpToDate() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        let term = c.term(1)
        c.node(1).raw.transferLeadership(to: 3)
        try c.settle()
        #expect(c.sentMessages(.timeoutNow, to: 3).count == 1)
        #expect(c.leaders == [3])
        #expect(c.term(3) == term + 1)
    }

    @Test("§3.10 a lagging transferee is caught up first; proposals are refused during the transfer")
    func transferToLagging() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        c.isolate(3)
        for i in 0..<4 { try c.node(1).raw.propose(Array("e\(i)".utf8)) }
        try c.settle()
        c.node(1).raw.transferLeadership(to: 3)
        try c.settle()
        #expect(c.node(1).raw.status.leadTransferee == 3)
        #expect(throws: RaftError.proposalDropped) { try c.node(1).raw.propose([1]) }
        c.heal()
        try c.tickAll(3)
        #expect(c.leaders == [3])
        #expect(c.appliedData(3).count == 4)
    }

    @Test("§3.10 a transfer that cannot finish within an election timeout is abandoned")
    func transferTimesOut() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        c.isolate(3)
        try c.node(1).raw.propose([1])
        try c.settle()
        c.node(1).raw.transferLeadership(to: 3)
        try c.settle()
        try c.tick(1, times: 12)
        #expect(c.node(1).raw.status.leadTransferee == 0)
        #expect(c.role(1) == .leader)
        try c.node(1).raw.propose([2])
    }

    @Test("a follower forwards a transfer request to the leader")
    func followerForwardsTransfer() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        c.node(2).raw.transferLeadership(to: 2)
        try c.settle()
        #expect(c.leaders == [2])
    }
}
