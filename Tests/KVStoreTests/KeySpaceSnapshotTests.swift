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
