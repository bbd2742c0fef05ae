import Testing
@testable import KVStore

@Suite("Watches")
struct WatchTests {
    /// Collects events from `stream` until `count` events arrived.
    func collect(_ stream: WatchHub.EventStream, count: Int) async throws -> [WatchEvent] {
        var events: [WatchEvent] = []
        for try await batch in stream {
            events += batch
            if events.count >= count { break }
        }
        return events
    }

    @Test("a watch from a past revision replays history, then live events, in order")
    func fromPastRevision() async throws {
        let store = MVCCStore()
        store.put("a", "1")  // 2
        store.put("b", "1")  // 3
        store.put("a", "2")  // 4
        let (_, stream) = store.watchHub.watch(key: b("a"), startRevision: 3, prevKV: true)
        store.delete("a")  // 5
        let events = try await collect(stream, count: 2)
        #expect(events.map(\.kind) == [.put, .delete])
        #expect(events[0].kv.modRevision == 4 && events[0].prevKV?.value == b("1"))
        #expect(events[1].kv == KeyValue(key: b("a"), modRevision: 5))
        #expect(events[1].prevKV?.value == b("2"))
    }

    @Test("a prefix watch from now sees only matching later writes; prevKV only when asked")
    func prefixFromNow() async throws {
        let store = MVCCStore()
        store.put("p/old", "x")
        let (_, stream) = store.watchHub.watch(key: b("p/"), rangeEnd: RangeRequest.prefixEnd(of: b("p/")))
        store.put("q", "no")
        store.put("p/new", "1")
        store.put("p/old", "y")
        let events = try await collect(stream, count: 2)
        #expect(events.map(\.kv.key) == [b("p/new"), b("p/old")])
        #expect(events.allSatisfy { $0.prevKV == nil })
    }

    @Test("events under concurrent writes and watch registrations arrive in order, each once")
    func orderingUnderConcurrency() async throws {
        let writes = 2000
        // Room for every write: this test is about order, not about slow watchers (the writer
        // may finish before a watcher is scheduled at all); overflow has its own test.
        let store = MVCCStore(watchHub: WatchHub(bufferLimit: writes + 16))
        try await withThrowingTaskGroup(of: [Int64].self) { group in
            group.addTask {
                for i in 0..<writes { store.put("k\(i % 17)", "\(i)") }
                return []
            }
            for start in [Int64(2), 500, 1500] {
                group.addTask {
                    // Register while writes are in flight; start revisions may be past or future.
                    let (_, stream) = store.watchHub.watch(key: b("k"), rangeEnd: b("l"), startRevision: start)
                    var revisions: [Int64] = []
                    for try await batch in stream {
                        revisions += batch.map(\.kv.modRevision)
                        if revisions.last == Int64(writes + 1) { break }
                    }
                    return revisions
                }
            }
            var finished = 0
            for try await revisions in group where !revisions.isEmpty {
                finished += 1
                let first = try #require(revisions.first)
                #expect(revisions == Array(first...Int64(writes + 1)))
            }
            #expect(finished == 3)
        }
    }

    @Test("a watch starting at a future revision skips the writes before it")
    func futureStart() async throws {
        let store = MVCCStore()
        let (_, stream) = store.watchHub.watch(key: b("k"), startRevision: 4)
        for i in 0..<4 { store.put("k", "\(i)") }  // revisions 2...5
        #expect(try await collect(stream, count: 2).map(\.kv.modRevision) == [4, 5])
    }

    @Test("a watch starting below the compacted revision fails with .compacted")
    func compactedStart() async throws {
        let store = MVCCStore()
        for i in 0..<5 { store.put("k", "\(i)") }  // revisions 2...6
        #expect(store.apply(.compact(revision: 5)) == .compact(revision: 6))
        let (_, stream) = store.watchHub.watch(key: b("k"), startRevision: 4)
        await #expect(throws: StoreError.compacted(5)) { _ = try await collect(stream, count: 1) }
        let (_, fromCompacted) = store.watchHub.watch(key: b("k"), startRevision: 5)
        #expect(try await collect(fromCompacted, count: 2).map(\.kv.modRevision) == [5, 6])
    }

    @Test("a watcher that never reads is cancelled with .watcherTooSlow; apply never blocks")
    func slowWatcher() async throws {
        let store = MVCCStore(watchHub: WatchHub(bufferLimit: 8))
        let (_, slow) = store.watchHub.watch(key: b("k"))
        let (_, other) = store.watchHub.watch(key: b("unrelated"))
        for i in 0..<100 { store.put("k", "\(i)") }
        #expect(store.watchHub.watcherCount == 1)  // only the unrelated watcher remains
        var received: [Int64] = []
        await #expect(throws: StoreError.watcherTooSlow) {
            for try await batch in slow { received += batch.map(\.kv.modRevision) }
        }
        // Everything buffered before the overflow was delivered, in order, nothing skipped.
        #expect(received == Array(2...9))
        _ = other
    }

    @Test("cancel ends the stream normally and removes the watcher")
    func cancel() async throws {
        let store = MVCCStore()
        let (id, stream) = store.watchHub.watch(key: b("k"))
        store.put("k", "1")
        store.watchHub.cancel(id: id)
        store.put("k", "2")
        var revisions: [Int64] = []
        for try await batch in stream { revisions += batch.map(\.kv.modRevision) }
        #expect(revisions == [2])
        #expect(store.watchHub.watcherCount == 0)
    }
}
