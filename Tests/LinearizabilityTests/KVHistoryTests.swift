import Testing
import Linearizability

typealias KVOp = KVOperation

private func put(_ client: Int, _ k: String, _ v: String, _ call: UInt64, _ ret: UInt64?) -> KVOp {
    KVOp(clientID: client, input: .put(key: k, value: v), output: ret == nil ? nil : .ok, call: call, return: ret)
}

private func get(_ client: Int, _ k: String, _ v: String?, _ call: UInt64, _ ret: UInt64) -> KVOp {
    KVOp(clientID: client, input: .get(key: k), output: .value(v), call: call, return: ret)
}

@Suite("Linearizability checker on key-value histories")
struct KVHistoryTests {
    @Test("a sequential history that follows the model is linearizable")
    func sequential() {
        let h = [put(1, "x", "1", 0, 10), get(2, "x", "1", 20, 30), put(1, "x", "2", 40, 50), get(2, "x", "2", 60, 70)]
        #expect(Linearizability.check(history: h, model: KVModel()) == .linearizable)
    }

    @Test("a read that returns a value overwritten before it began is not linearizable")
    func staleRead() {
        let h = [put(1, "x", "1", 0, 10), put(1, "x", "2", 20, 30), get(2, "x", "1", 40, 50)]
        #expect(Linearizability.check(history: h, model: KVModel()) == .notLinearizable(partition: 0, operations: 3))
    }

    @Test("concurrent operations may take effect in either order")
    func concurrentEitherOrder() {
        // The put overlaps both reads; the first read sees the old value, the second the new.
        let h = [put(1, "x", "1", 0, 5), put(1, "x", "2", 10, 100), get(2, "x", "1", 20, 30), get(3, "x", "2", 40, 50)]
        #expect(Linearizability.check(history: h, model: KVModel()) == .linearizable)
    }

    @Test("reads cannot observe a new value and then the old one (no flip-flop)")
    func flipFlop() {
        let h = [put(1, "x", "1", 0, 5), put(1, "x", "2", 10, 100), get(2, "x", "2", 20, 30), get(3, "x", "1", 40, 50)]
        #expect(Linearizability.check(history: h, model: KVModel()) != .linearizable)
    }

    @Test("a pending write may take effect late, or never")
    func pendingWrite() {
        let late = [put(1, "x", "1", 0, nil), get(2, "x", nil, 10, 20), get(2, "x", "1", 1000, 1010)]
        #expect(Linearizability.check(history: late, model: KVModel()) == .linearizable)
        let never = [put(1, "x", "1", 0, nil), get(2, "x", nil, 10, 20), get(2, "x", nil, 1000, 1010)]
        #expect(Linearizability.check(history: never, model: KVModel()) == .linearizable)
        // But once seen, it cannot be unseen.
        let unseen = [put(1, "x", "1", 0, nil), get(2, "x", "1", 10, 20), get(2, "x", nil, 1000, 1010)]
        #expect(Linearizability.check(history: unseen, model: KVModel()) != .linearizable)
    }

    @Test("keys are checked independently and a violation names its partition")
    func partitions() {
        let h = [put(1, "a", "1", 0, 10), put(1, "b", "1", 0, 10), get(2, "a", "1", 20, 30), get(2, "b", nil, 20, 30)]
        #expect(Linearizability.check(history: h, model: KVModel()) == .notLinearizable(partition: 1, operations: 2))
    }

    @Test("compare-and-swap succeeds only on the expected value")
    func compareAndSwap() {
        let ok = [
            put(1, "x", "1", 0, 10),
            KVOp(clientID: 2, input: .cas(key: "x", expected: "1", new: "2"), output: .swapped(true), call: 20, return: 30),
            KVOp(clientID: 3, input: .cas(key: "x", expected: "1", new: "3"), output: .swapped(false), call: 25, return: 35),
            get(1, "x", "2", 40, 50),
        ]
        #expect(Linearizability.check(history: ok, model: KVModel()) == .linearizable)
        let bad = [
            put(1, "x", "1", 0, 10),
            KVOp(clientID: 2, input: .cas(key: "x", expected: "1", new: "2"), output: .swapped(true), call: 20, return: 30),
            KVOp(clientID: 3, input: .cas(key: "x", expected: "1", new: "3"), output: .swapped(true), call: 40, return: 45),
        ]
        #expect(Linearizability.check(history: bad, model: KVModel()) != .linearizable)
    }

    @Test("a large concurrent history is decided quickly thanks to memoization")
    func largeHistory() {
        // 400 operations in overlapping groups of writes and reads that agree with a sequential run.
        var h: [KVOp] = []
        var t: UInt64 = 0
        for round in 0..<100 {
            let v = String(round)
            h.append(put(round % 4, "k", v, t, t + 50))
            h.append(get(4, "k", v, t + 60, t + 70))
            h.append(KVOp(clientID: 5, input: .get(key: "k"), output: .value(v), call: t + 55, return: t + 90))
            h.append(put(6, "other", v, t, t + 95))
            t += 100
        }
        #expect(Linearizability.check(history: h, model: KVModel()) == .linearizable)
        // Tamper with one read in the middle: it now returns a value from far in the past.
        h[201] = get(4, "k", "3", h[201].call, h[201].return ?? 0)
        #expect(Linearizability.check(history: h, model: KVModel()) == .notLinearizable(partition: 0, operations: 300))
    }
}
