import Raft

/// Checks Raft's safety properties (paper Figure 3) across all simulated nodes as they act:
/// election safety, log matching, leader completeness and state-machine safety.
/// A violation is recorded (not trapped) so the failing seed and step can be reported.
final class Invariants {
    private(set) var violations: [String] = []
    private var leaderOfTerm: [UInt64: NodeID] = [:]
    /// (index, term) → hash of the whole log prefix ending there. Log matching says two logs
    /// with an entry of the same index and term agree on everything up to it: equal prefix hashes.
    private var prefixHashes: [IndexTerm: UInt64] = [:]
    /// index → (term, entry hash) of the entry some node applied there.
    private var appliedAt: [UInt64: (term: UInt64, hash: UInt64)] = [:]
    private(set) var highestApplied: UInt64 = 0
    var now: () -> String = { "" }

    struct IndexTerm: Hashable {
        var index: UInt64
        var term: UInt64
    }

    func fail(_ message: String) {
        if violations.count < 20 { violations.append("\(now()): \(message)") }
    }

    /// Election safety: at most one leader per term.
    func observeLeader(_ id: NodeID, term: UInt64) -> Bool {
        if let other = leaderOfTerm[term] {
            if other != id { fail("election safety: nodes \(other) and \(id) both lead term \(term)") }
            return false
        }
        leaderOfTerm[term] = id
        return true
    }

    /// Records a node's newly persisted entries and checks log matching. `previous` is the
    /// prefix hash of the entry just before them in that node's log.
    func observePersisted(_ entries: [Entry], previous: UInt64, node: NodeID) -> [UInt64] {
        var hashes: [UInt64] = []
        hashes.reserveCapacity(entries.count)
        var h = previous
        for e in entries {
            h = Self.mix(h, Self.entryHash(e))
            hashes.append(h)
            let key = IndexTerm(index: e.index, term: e.term)
            if let known = prefixHashes[key] {
                if known != h {
                    fail("log matching: node \(node) holds entry \(e.index)@\(e.term) after a log prefix different from another node's")
                }
            } else {
                prefixHashes[key] = h
            }
        }
        return hashes
    }

    func prefixHash(index: UInt64, term: UInt64) -> UInt64? {
        if index == 0 { return 0 }
        return prefixHashes[IndexTerm(index: index, term: term)]
    }

    /// State-machine safety: no two nodes apply different entries at one index.
    func observeApplied(_ e: Entry, node: NodeID) {
        let h = Self.entryHash(e)
        if let known = appliedAt[e.index] {
            if known.term != e.term || known.hash != h {
                fail("state machine safety: node \(node) applied \(e.index)@\(e.term) but another node applied \(e.index)@\(known.term) there")
            }
        } else {
            appliedAt[e.index] = (e.term, h)
        }
        highestApplied = max(highestApplied, e.index)
    }

    /// Leader completeness: a new leader's log holds every entry applied anywhere before.
    func checkLeaderCompleteness(leader: NodeID, term: UInt64, storage: MemoryStorage) {
        guard let first = try? storage.firstIndex(), let last = try? storage.lastIndex() else { return }
        if highestApplied > last {
            fail("leader completeness: leader \(leader) of term \(term) ends at \(last) but \(highestApplied) was committed")
            return
        }
        var index = first
        while index <= highestApplied {
            if let known = appliedAt[index], let t = try? storage.term(of: index), t != known.term {
                fail("leader completeness: leader \(leader) of term \(term) has \(index)@\(t), committed was \(index)@\(known.term)")
                return
            }
            index += 1
        }
    }

    static func entryHash(_ e: Entry) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        func feed(_ b: UInt8) {
            h ^= UInt64(b)
            h = h &* 0x100_0000_01b3
        }
        feed(e.kind.rawValue)
        for i in 0..<8 { feed(UInt8(truncatingIfNeeded: e.term >> (8 * UInt64(i)))) }
        for b in e.data { feed(b) }
        return h
    }

    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var z = a &* 0x9E37_79B9_7F4A_7C15 ^ b
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
