import Testing
@testable import KVStore

@Suite("Keyspace snapshot")
struct KeySpaceSnapshotTests {
    func populated() -> MVCCStore {
        let store = MVCCStore()
        var generator = SplitMix64(seed: 7)
        for step in 0..<800 {
            let key = "key/\(generator.next() % 120)"
            if generator.next() % 5 == 0 { store.delete(key) } else { store.put(key, "value-\(step)") }
        }
        _ = store.apply(.compact(revision: 300))
        return store
    }

    @Test("restore reproduces every key, every retained version and both revisions")
    func roundTrip() throws {
        let store = populated()
        let restored = try MVCCStore.restore(from: store.snapshotData())
        #expect(restored.currentRevision == store.currentRevision)
        #expect(restored.compactedRevision == 300)
        for revision in [Int64(300), 450, store.currentRevision] {
            let all = RangeRequest(key: [0], rangeEnd: [0], revision: revision)
            #expect(try restored.range(all) == store.range(all))
        }
        #expect(restored.snapshotData() == store.snapshotData())
        // Both continue identically.
        #expect(restored.put("key/1", "after") == store.put("key/1", "after"))
    }

    @Test("a restored store replays watch history from the compacted revision on")
    func watchAfterRestore() async throws {
        let store = populated()
        let restored = try MVCCStore.restore(from: store.snapshotData())
        let (_, original) = store.watchHub.watch(key: b("key/"), rangeEnd: b("key0"), startRevision: 301)
        let (_, replayed) = restored.watchHub.watch(key: b("key/"), rangeEnd: b("key0"), startRevision: 301)
        let end = store.currentRevision
        func revisions(_ stream: WatchHub.EventStream) async throws -> [Int64] {
            var seen: [Int64] = []
            for try await batch in stream {
                seen += batch.map(\.kv.modRevision)
                if seen.last == end { break }
            }
            return seen
        }
        #expect(try await revisions(replayed) == revisions(original))
    }

    @Test("corruption anywhere is detected by the checksum")
    func corruption() throws {
        var bytes = populated().snapshotData()
        bytes[bytes.count / 2] ^= 0x40
        #expect(throws: StoreError.self) { try MVCCStore.restore(from: bytes) }
        #expect(throws: StoreError.self) { try MVCCStore.restore(from: Array(bytes.prefix(10))) }
    }

    @Test("replacing contents ends current watches with .watchReset")
    func replaceContents() async throws {
        let store = MVCCStore()
        store.put("a", "1")
        let (_, stream) = store.watchHub.watch(key: b("a"))
        try store.replaceContents(withSnapshot: populated().snapshotData())
        await #expect(throws: StoreError.watchReset) { for try await _ in stream {} }
        #expect(store.compactedRevision == 300)
    }
}

@Suite("Deterministic apply")
struct DeterministicApplyTests {
    /// A random mix of every command kind, as proposals (encoded bytes).
    func workload(seed: UInt64, count: Int) -> [[UInt8]] {
        var generator = SplitMix64(seed: seed)
        var proposals: [[UInt8]] = []
        for i in 0..<count {
            let key = Array("k/\(generator.next() % 40)".utf8)
            let command: StoreCommand
            switch generator.next() % 10 {
            case 0...4: command = .put(PutRequest(key: key, value: Array("v\(i)".utf8), prevKV: true))
            case 5: command = .deleteRange(DeleteRangeRequest(key: key, rangeEnd: RangeRequest.prefixEnd(of: key)))
            case 6, 7:
                command = .txn(TxnRequest(
                    compare: [.version(key, .greater, Int64(generator.next() % 3))],
                    success: [.put(PutRequest(key: key, value: [1])), .range(RangeRequest(key: Array("k/".utf8), rangeEnd: Array("k0".utf8)))],
                    failure: [.deleteRange(DeleteRangeRequest(key: key))]))
            case 8: command = .compact(revision: Int64(i / 2))
            default: command = .put(PutRequest(key: Array("other".utf8), value: Array(repeating: UInt8(i % 256), count: i % 50)))
            }
            proposals.append(command.encoded(requestID: UInt64(i)))
        }
        return proposals
    }

    @Test("two members applying the same decoded proposals reach byte-identical state and results")
    func identicalMembers() throws {
        let proposals = workload(seed: 99, count: 1500)
        let a = MVCCStore(), b = MVCCStore()
        for bytes in proposals {
            let (idA, commandA) = try StoreCommand.decode(bytes)
            let (idB, commandB) = try StoreCommand.decode(bytes)
            #expect(idA == idB)
            #expect(a.apply(commandA) == b.apply(commandB))
        }
        #expect(a.snapshotData() == b.snapshotData())
        #expect(a.currentRevision > 1000)
        // A member restored from a snapshot midway and fed the rest ends identical too.
        let c = MVCCStore()
        for bytes in proposals.prefix(700) { _ = c.apply(try StoreCommand.decode(bytes).command) }
        let d = try MVCCStore.restore(from: c.snapshotData())
        for bytes in proposals.dropFirst(700) { _ = d.apply(try StoreCommand.decode(bytes).command) }
        #expect(d.snapshotData() == a.snapshotData())
    }
}
