import Testing
@testable import Raft

@Suite("Log compaction and snapshots (§7)")
struct SnapshotTests {
    /// Compacts node `id`'s storage at its applied index with its applied data as the image.
    private func compact(_ c: TestCluster, _ id: NodeID) throws -> UInt64 {
        let node = c.node(id)
        let applied = node.raw.status.applied
        let image = node.applied.flatMap(\.data)
        try node.storage.createSnapshot(index: applied, confState: node.raw.status.confState, data: image)
        try node.storage.compact(to: applied)
        return applied
    }

    @Test("§7 a follower behind the leader's compacted log receives a snapshot and then the rest")
    func laggingFollowerGetsSnapshot() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        c.isolate(3)
        for i in 0..<10 { try c.node(1).raw.propose(Array("e\(i)".utf8)) }
        try c.settle()
        try c.tickAll(1)
        let snapIndex = try compact(c, 1)
        #expect(try c.node(1).storage.firstIndex() == snapIndex + 1)
        try c.node(1).raw.propose(Array("after".utf8))
        try c.settle()
        c.heal()
        try c.tickAll(5)
        let snaps = c.sentMessages(.installSnapshot, to: 3)
        #expect(snaps.count == 1)
        #expect(snaps.first?.snapshot?.metadata.index == snapIndex)
        // Report delivery, as a transport would, so the leader resumes replication.
        c.node(1).raw.reportSnapshot(3, success: true)
        try c.tickAll(3)
        #expect(try c.node(3).storage.snapshot().metadata.index == snapIndex)
        #expect(c.node(3).raw.status.applied == c.node(1).raw.status.applied)
        #expect(c.node(3).applied.last?.data == Array("after".utf8), "entries after the snapshot are replicated")
    }

    @Test("§7 a snapshot at or below the follower's commit index is ignored")
    func staleSnapshotIgnored() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        for i in 0..<3 { try c.node(1).raw.propose(Array("e\(i)".utf8)) }
        try c.settle()
        try c.tickAll(1)
        let commit = c.node(2).raw.status.hardState.commit
        let term = c.term(1)
        let stale = Snapshot(metadata: SnapshotMetadata(index: commit - 1, term: term, confState: ConfState(voters: [1, 2, 3])))
        try c.node(2).raw.step(Message(type: .installSnapshot, to: 2, from: 1, term: term, snapshot: stale))
        let rd = c.node(2).raw.ready()
        #expect(rd.snapshot == nil)
        #expect(rd.messages.first { $0.type == .appendResponse }?.index == commit)
        c.node(2).raw.advance(rd)
    }

    @Test("a restarted node resumes from its storage: term, vote, log and snapshot")
    func restartFromStorage() throws {
        let c = try TestCluster(size: 3)
        try c.elect(1)
        for i in 0..<5 { try c.node(1).raw.propose(Array("e\(i)".utf8)) }
        try c.settle()
        try c.tickAll(1)
        let node = c.node(2)
        let before = node.raw.status
        _ = try compact(c, 2)
        // Peers are ignored on a restart: membership comes from storage.
        let restarted = try RawNode(config: RaftConfig(id: 2, applied: before.applied, randomSeed: 99),
                                    storage: node.storage, peers: [1, 2, 3])
        let after = restarted.status
        #expect(after.hardState == before.hardState)
        #expect(after.lastIndex == before.lastIndex)
        #expect(after.confState.voters == [1, 2, 3])
        #expect(!restarted.hasReady() || restarted.ready().committedEntries.isEmpty)
    }

    @Test("bootstrapping a node that is not among the founding peers is refused with a clear error")
    func bootstrapWithoutSelf() {
        #expect(throws: RaftError.invalidConfig("bootstrap peers [2, 3] do not include this node 1")) {
            try RawNode(config: RaftConfig(id: 1), storage: MemoryStorage(), peers: [2, 3])
        }
        #expect(throws: RaftError.self) { try RawNode(config: RaftConfig(id: 0), storage: MemoryStorage()) }
    }
}
