import Testing
import Raft
@testable import RaftSimulation

/// The simulation is only as good as its checks: each invariant must fire on a violation.
@Suite("Simulation invariant checks detect violations")
struct InvariantCheckerTests {
    @Test("election safety: two leaders in one term are reported")
    func twoLeaders() {
        let inv = Invariants()
        #expect(inv.observeLeader(1, term: 3))
        #expect(!inv.observeLeader(1, term: 3))
        #expect(inv.violations.isEmpty)
        _ = inv.observeLeader(2, term: 3)
        #expect(inv.violations.count == 1)
        #expect(inv.violations.first?.contains("election safety") == true)
    }

    @Test("log matching: the same index and term after different prefixes is reported")
    func logMatching() {
        let inv = Invariants()
        let a = inv.observePersisted([Entry(term: 1, index: 1, data: [1]), Entry(term: 1, index: 2, data: [2])], previous: 0, node: 1)
        _ = inv.observePersisted([Entry(term: 1, index: 1, data: [1]), Entry(term: 1, index: 2, data: [2])], previous: 0, node: 2)
        #expect(inv.violations.isEmpty)
        #expect(a.count == 2)
        _ = inv.observePersisted([Entry(term: 1, index: 1, data: [9]), Entry(term: 1, index: 2, data: [2])], previous: 0, node: 3)
        #expect(inv.violations.contains { $0.contains("log matching") })
    }

    @Test("state machine safety: different entries applied at one index are reported")
    func stateMachineSafety() {
        let inv = Invariants()
        inv.observeApplied(Entry(term: 2, index: 5, data: [1]), node: 1)
        inv.observeApplied(Entry(term: 2, index: 5, data: [1]), node: 2)
        #expect(inv.violations.isEmpty)
        inv.observeApplied(Entry(term: 3, index: 5, data: [1]), node: 3)
        #expect(inv.violations.contains { $0.contains("state machine safety") })
    }

    @Test("leader completeness: a leader missing a committed entry is reported")
    func leaderCompleteness() throws {
        let inv = Invariants()
        for i in UInt64(1)...3 { inv.observeApplied(Entry(term: 1, index: i, data: [UInt8(i)]), node: 1) }
        let complete = MemoryStorage()
        try complete.append((1...3).map { Entry(term: 1, index: $0, data: [UInt8($0)]) })
        inv.checkLeaderCompleteness(leader: 2, term: 2, storage: complete)
        #expect(inv.violations.isEmpty)
        let short = MemoryStorage()
        try short.append([Entry(term: 1, index: 1, data: [1])])
        inv.checkLeaderCompleteness(leader: 3, term: 3, storage: short)
        let divergent = MemoryStorage()
        try divergent.append([Entry(term: 1, index: 1), Entry(term: 2, index: 2), Entry(term: 2, index: 3)])
        inv.checkLeaderCompleteness(leader: 3, term: 4, storage: divergent)
        #expect(inv.violations.filter { $0.contains("leader completeness") }.count == 2)
    }

    @Test("the state machine's snapshot encoding round-trips")
    func snapshotRoundTrip() {
        var m = KVStateMachine()
        _ = m.apply(Command(kind: .put, client: 1, seq: 1, key: "a", value: "x"))
        _ = m.apply(Command(kind: .put, client: 2, seq: 7, key: "b", value: "y"))
        let copy = KVStateMachine(snapshotData: m.snapshotData())
        #expect(copy == m)
        // A duplicated request is not applied twice, even after a snapshot.
        var restored = copy
        _ = restored.apply(Command(kind: .put, client: 1, seq: 1, key: "a", value: "x"))
        _ = restored.apply(Command(kind: .put, client: 3, seq: 1, key: "a", value: "z"))
        _ = restored.apply(Command(kind: .put, client: 1, seq: 1, key: "a", value: "x"))
        #expect(restored.values["a"] == "z")
    }
}
