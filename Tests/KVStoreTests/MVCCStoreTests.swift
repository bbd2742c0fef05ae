import Testing
@testable import KVStore

@Suite("MVCC keyspace")
struct MVCCStoreTests {
    @Test("every write gets the next revision; versions count modifications since creation")
    func revisionsAndVersions() throws {
        let store = MVCCStore()
        #expect(store.currentRevision == 1)
        #expect(store.put("a", "1") == .put(PutResponse(revision: 2)))
        store.put("a", "2")
        store.put("b", "x")
        let a = try #require(try store.get("a"))
        #expect(a == KeyValue(key: b("a"), value: b("2"), createRevision: 2, modRevision: 3, version: 2))
        #expect(store.currentRevision == 4)

        // Delete resets the version; re-creation starts a new generation.
        let deleted = store.delete("a", prevKV: true)
        #expect(deleted == .deleteRange(DeleteRangeResponse(revision: 5, deleted: 1, prevKVs: [a])))
        #expect(try store.get("a") == nil)
        store.put("a", "3")
        #expect(try store.get("a") == KeyValue(key: b("a"), value: b("3"), createRevision: 6, modRevision: 6, version: 1))
    }

    @Test("put returns the previous key-value when asked")
    func putPrevKV() throws {
        let store = MVCCStore()
        #expect(store.put("k", "1", prevKV: true) == .put(PutResponse(revision: 2, prevKV: nil)))
        let result = store.put("k", "2", prevKV: true)
        #expect(result == .put(PutResponse(
            revision: 3, prevKV: KeyValue(key: b("k"), value: b("1"), createRevision: 2, modRevision: 2, version: 1))))
    }

    @Test("deleting nothing does not consume a revision")
    func emptyDelete() {
        let store = MVCCStore()
        store.put("a", "1")
        #expect(store.delete("zzz") == .deleteRange(DeleteRangeResponse(revision: 2, deleted: 0)))
        #expect(store.currentRevision == 2)
    }

    @Test("empty keys are refused without changing the store")
    func emptyKey() {
        let store = MVCCStore()
        #expect(store.apply(.put(PutRequest(key: [], value: b("v")))) == .failed(.keyEmpty))
        #expect(throws: StoreError.keyEmpty) { try store.range(RangeRequest(key: [])) }
        #expect(store.currentRevision == 1)
    }

    @Test("ranges: single key, [key, end), prefix, from-key, all keys — sorted by key")
    func rangeForms() throws {
        let store = MVCCStore()
        for key in ["b/2", "a", "b/1", "c", "b/10", "b0", "b"] { store.put(key, key) }
        #expect(try store.range(RangeRequest(key: b("b/1"))).kvs.map(\.key) == [b("b/1")])
        #expect(try store.keys(prefix: "b/") == ["b/1", "b/10", "b/2"])
        let halfOpen = try store.range(RangeRequest(key: b("b"), rangeEnd: b("b0")))
        #expect(halfOpen.kvs.map(\.key) == [b("b"), b("b/1"), b("b/10"), b("b/2")])
        let fromKey = try store.range(RangeRequest(key: b("b0"), rangeEnd: [0]))
        #expect(fromKey.kvs.map(\.key) == [b("b0"), b("c")])
        let all = try store.range(RangeRequest(key: [0], rangeEnd: [0]))
        #expect(all.kvs.map(\.key) == [b("a"), b("b"), b("b/1"), b("b/10"), b("b/2"), b("b0"), b("c")])
        #expect(all.count == 7 && all.revision == 8)
    }

    @Test("prefixEnd increments the last byte below 0xff")
    func prefixEnd() {
        #expect(RangeRequest.prefixEnd(of: b("ab")) == b("ac"))
        #expect(RangeRequest.prefixEnd(of: [0x61, 0xff]) == [0x62])
        #expect(RangeRequest.prefixEnd(of: [0xff, 0xff]) == [0])
    }

    @Test("limit returns the first keys, the full count and more")
    func limit() throws {
        let store = MVCCStore()
        for i in 0..<10 { store.put("k\(i)", "v") }
        let page = try store.range(.prefix(b("k"), limit: 3))
        #expect(page.kvs.map(\.key) == [b("k0"), b("k1"), b("k2")])
        #expect(page.count == 10 && page.more)
        let whole = try store.range(.prefix(b("k"), limit: 10))
        #expect(whole.kvs.count == 10 && !whole.more)
    }

    @Test("countOnly and keysOnly")
    func countAndKeysOnly() throws {
        let store = MVCCStore()
        for i in 0..<4 { store.put("k\(i)", "value\(i)") }
        let counted = try store.range(RangeRequest(key: b("k"), rangeEnd: b("l"), countOnly: true))
        #expect(counted.kvs.isEmpty && counted.count == 4 && !counted.more)
        let keysOnly = try store.range(RangeRequest(key: b("k"), rangeEnd: b("l"), keysOnly: true))
        #expect(keysOnly.kvs.allSatisfy { $0.value.isEmpty } && keysOnly.kvs.count == 4)
        #expect(keysOnly.kvs[2].modRevision == 4)
    }

    @Test("reads at past revisions see the keyspace as it was")
    func pastRevisions() throws {
        let store = MVCCStore()
        store.put("a", "1")  // 2
        store.put("b", "1")  // 3
        store.put("a", "2")  // 4
        store.delete("b")  // 5
        #expect(try store.get("a", revision: 2)?.value == b("1"))
        #expect(try store.get("a", revision: 4)?.value == b("2"))
        #expect(try store.range(RangeRequest(key: [0], rangeEnd: [0], revision: 3)).kvs.map(\.key) == [b("a"), b("b")])
        #expect(try store.range(RangeRequest(key: [0], rangeEnd: [0], revision: 5)).kvs.map(\.key) == [b("a")])
        #expect(throws: StoreError.futureRevision) { try store.get("a", revision: 6) }
    }

    @Test("delete range removes every live key in the range and reports them")
    func deleteRange() throws {
        let store = MVCCStore()
        for key in ["p/a", "p/b", "p/c", "q"] { store.put(key, "v") }
        store.delete("p/b")
        let result = store.delete("p/", rangeEnd: "p0", prevKV: true)
        guard case .deleteRange(let response) = result else { Issue.record("unexpected \(result)"); return }
        #expect(response.deleted == 2)
        #expect(response.prevKVs.map(\.key) == [b("p/a"), b("p/c")])
        #expect(try store.keys(prefix: "p/").isEmpty)
        #expect(try store.get("q") != nil)
        #expect(response.revision == store.currentRevision)
    }

    @Test("compaction drops history below the revision and refuses reads there")
    func compaction() throws {
        let store = MVCCStore()
        store.put("a", "1")  // 2
        store.put("a", "2")  // 3
        store.put("b", "1")  // 4
        store.delete("b")  // 5
        store.put("c", "1")  // 6
        #expect(store.apply(.compact(revision: 5)) == .compact(revision: 6))
        #expect(store.compactedRevision == 5)
        #expect(throws: StoreError.compacted(5)) { try store.get("a", revision: 4) }
        // At the compacted revision itself the latest versions are still readable.
        #expect(try store.get("a", revision: 5)?.value == b("2"))
        #expect(try store.get("b", revision: 5) == nil)
        #expect(try store.range(RangeRequest(key: [0], rangeEnd: [0])).kvs.map(\.key) == [b("a"), b("c")])
        #expect(store.apply(.compact(revision: 5)) == .failed(.compacted(5)))
        #expect(store.apply(.compact(revision: 4)) == .failed(.compacted(5)))
        #expect(store.apply(.compact(revision: 7)) == .failed(.futureRevision))
        #expect(store.apply(.compact(revision: 6)) == .compact(revision: 6))
        // Dead keys leave the index entirely once compacted past their tombstone.
        #expect(try store.range(RangeRequest(key: b("b"))).count == 0)
        #expect(store.keyCount == 2)
    }

    @Test("prefix ranges stay correct over thousands of keys and churn")
    func manyKeys() throws {
        let store = MVCCStore()
        var model: [String: String] = [:]
        var generator = SplitMix64(seed: 42)
        for step in 0..<6000 {
            let key = "/registry/\(["pods", "services", "nodes"][Int(generator.next() % 3)])/\(generator.next() % 1500)"
            if generator.next() % 4 == 0 {
                store.delete(key)
                model[key] = nil
            } else {
                store.put(key, "\(step)")
                model[key] = "\(step)"
            }
        }
        for prefix in ["/registry/pods/", "/registry/services/", "/registry/", "/registry/nodes/1"] {
            let expected = model.keys.filter { $0.hasPrefix(prefix) }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            #expect(try store.keys(prefix: prefix) == expected)
        }
        #expect(store.keyCount == model.count)
    }
}

/// Deterministic pseudo-random numbers for reproducible workloads.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
