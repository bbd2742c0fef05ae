import Testing
@testable import KVStore

@Suite("MVCC transactions")
struct TxnTests {
    /// Store with key "k" at createRevision 2, modRevision 3, version 2, value "v2".
    func seeded() -> MVCCStore {
        let store = MVCCStore()
        store.put("k", "v1")
        store.put("k", "v2")
        return store
    }

    func succeeded(_ store: MVCCStore, _ compare: Compare) -> Bool {
        guard case .txn(let response) = store.apply(.txn(TxnRequest(compare: [compare]))) else { return false }
        return response.succeeded
    }

    @Test("compare matrix on every target and result", arguments: [
        (Compare.value(b("k"), .equal, b("v2")), true),
        (Compare.value(b("k"), .equal, b("v1")), false),
        (Compare.value(b("k"), .notEqual, b("v1")), true),
        (Compare.value(b("k"), .greater, b("v1")), true),
        (Compare.value(b("k"), .less, b("v3")), true),
        (Compare.value(b("k"), .less, b("v2")), false),
        (Compare.version(b("k"), .equal, 2), true),
        (Compare.version(b("k"), .greater, 2), false),
        (Compare.version(b("k"), .less, 3), true),
        (Compare.version(b("k"), .notEqual, 2), false),
        (Compare.createRevision(b("k"), .equal, 2), true),
        (Compare.createRevision(b("k"), .less, 2), false),
        (Compare.modRevision(b("k"), .equal, 3), true),
        (Compare.modRevision(b("k"), .greater, 2), true),
        (Compare.modRevision(b("k"), .notEqual, 3), false),
        // A missing key: revisions and version compare as 0; every value compare fails.
        (Compare.modRevision(b("missing"), .equal, 0), true),
        (Compare.createRevision(b("missing"), .equal, 0), true),
        (Compare.version(b("missing"), .greater, 0), false),
        (Compare.value(b("missing"), .equal, []), false),
        (Compare.value(b("missing"), .notEqual, b("x")), false),
    ])
    func compareMatrix(compare: Compare, expected: Bool) {
        #expect(succeeded(seeded(), compare) == expected)
    }

    @Test("a range compare must hold for every key in the range")
    func rangeCompare() {
        let store = MVCCStore()
        store.put("r/a", "1")
        store.put("r/b", "1")
        var compare = Compare.value(b("r/"), .equal, b("1"))
        compare.rangeEnd = b("r0")
        #expect(succeeded(store, compare))
        store.put("r/c", "2")
        #expect(!succeeded(store, compare))
    }

    @Test("compare-and-swap on modRevision: one revision, then/else branches")
    func compareAndSwap() throws {
        let store = seeded()
        let txn = TxnRequest(
            compare: [.modRevision(b("k"), .equal, 3)],
            success: [.put(PutRequest(key: b("k"), value: b("new"))), .put(PutRequest(key: b("other"), value: b("o"))),
                      .range(RangeRequest(key: b("k")))],
            failure: [.range(RangeRequest(key: b("k")))])
        let first = store.apply(.txn(txn))
        guard case .txn(let response) = first else { Issue.record("\(first)"); return }
        #expect(response.succeeded && response.revision == 4)
        // Both puts share revision 4, and the read inside the txn sees the txn's own write.
        #expect(try store.get("k")?.modRevision == 4)
        #expect(try store.get("other")?.modRevision == 4)
        guard case .range(let read) = response.responses[2] else { Issue.record("not a range"); return }
        #expect(read.kvs.first?.value == b("new") && read.revision == 4)

        let second = store.apply(.txn(txn))
        guard case .txn(let failed) = second else { Issue.record("\(second)"); return }
        #expect(!failed.succeeded && failed.revision == 4)
        #expect(store.currentRevision == 4)
    }

    @Test("a transaction deleting and putting gives one revision and ordered events")
    func mixedWrites() async throws {
        let store = seeded()
        let (_, stream) = store.watchHub.watch(key: [0], rangeEnd: [0])
        let txn = TxnRequest(success: [
            .deleteRange(DeleteRangeRequest(key: b("k"))), .put(PutRequest(key: b("n"), value: b("1"))),
        ])
        #expect(store.apply(.txn(txn)).revision == 4)
        var iterator = stream.makeAsyncIterator()
        let batch = try #require(try await iterator.next())
        #expect(batch.map(\.kind) == [.delete, .put])
        #expect(batch.allSatisfy { $0.kv.modRevision == 4 })
    }

    @Test("duplicate keys, too many ops and bad ranges are refused and change nothing")
    func refusals() throws {
        let store = seeded()
        let put = RequestOp.put(PutRequest(key: b("x"), value: b("1")))
        #expect(store.apply(.txn(TxnRequest(success: [put, put]))) == .failed(.duplicateKey))
        let overlapping = TxnRequest(success: [put, .deleteRange(DeleteRangeRequest(key: b("a"), rangeEnd: b("z")))])
        #expect(store.apply(.txn(overlapping)) == .failed(.duplicateKey))
        let many = TxnRequest(success: (0...MVCCStore.maxTxnOps).map { .put(PutRequest(key: b("k\($0)"), value: [])) })
        #expect(store.apply(.txn(many)) == .failed(.tooManyOps))
        let future = TxnRequest(success: [put, .range(RangeRequest(key: b("k"), revision: 99))])
        #expect(store.apply(.txn(future)) == .failed(.futureRevision))
        #expect(store.currentRevision == 3)
        #expect(try store.get("x") == nil)
    }

    @Test("nested transactions run in the same revision")
    func nested() throws {
        let store = seeded()
        let inner = TxnRequest(
            compare: [.value(b("k"), .equal, b("v2"))], success: [.put(PutRequest(key: b("inner"), value: b("yes")))])
        let outer = TxnRequest(success: [.put(PutRequest(key: b("outer"), value: b("1"))), .txn(inner)])
        guard case .txn(let response) = store.apply(.txn(outer)) else { Issue.record("no txn"); return }
        guard case .txn(let innerResponse) = response.responses[1] else { Issue.record("no inner"); return }
        #expect(innerResponse.succeeded && innerResponse.revision == 4)
        #expect(try store.get("inner")?.modRevision == 4)
        #expect(try store.get("outer")?.modRevision == 4)
    }
}
