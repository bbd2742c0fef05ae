import ClusterClient
import Synchronization
import Testing

@Suite("WorkQueue")
struct WorkQueueTests {
    @Test("a key added many times while waiting is handed out once, in FIFO order")
    func dedupe() async {
        let queue = WorkQueue<String>(name: "test")
        await queue.add("a")
        await queue.add("b")
        await queue.add("a")
        #expect(await queue.count == 2)
        #expect(await queue.get() == "a")
        #expect(await queue.get() == "b")
        #expect(await queue.count == 0)
    }

    @Test("a key being processed is not handed out again until done, then once more if re-added")
    func processingAndDirty() async {
        let queue = WorkQueue<String>(name: "test")
        await queue.add("a")
        let first = await queue.get()
        #expect(first == "a")
        await queue.add("a")
        await queue.add("a")
        #expect(await queue.count == 0)
        await queue.done("a")
        #expect(await queue.count == 1)
        #expect(await queue.get() == "a")
        await queue.done("a")
        #expect(await queue.count == 0)
    }

    @Test("a waiting worker receives a key added later")
    func waiterReceives() async {
        let queue = WorkQueue<Int>(name: "test")
        let worker = Task { await queue.get() }
        try? await Task.sleep(for: .milliseconds(50))
        await queue.add(7)
        #expect(await worker.value == 7)
    }

    @Test("add(after:) delays; a second earlier request wins; duplicates collapse")
    func delayed() async throws {
        let queue = WorkQueue<String>(name: "test")
        let clock = ContinuousClock()
        let start = clock.now
        await queue.add("late", after: .seconds(30))
        await queue.add("late", after: .milliseconds(100))
        await queue.add("late", after: .milliseconds(200))
        #expect(await queue.count == 0)
        let key = await queue.get()
        #expect(key == "late")
        let waited = clock.now - start
        #expect(waited >= .milliseconds(100))
        #expect(waited < .seconds(20))
        await queue.done("late")
        try await Task.sleep(for: .milliseconds(300))
        #expect(await queue.count == 0)
    }

    @Test("rate-limited adds back off exponentially per key until forget")
    func backoff() async {
        let queue = WorkQueue<String>(name: "test", rateLimiter: RateLimiterConfiguration(
            baseDelay: .milliseconds(10), maximumDelay: .milliseconds(80), queriesPerSecond: 1000, burst: 1000))
        #expect(await queue.itemDelayForTest(requeues: 0) == .milliseconds(10))
        #expect(await queue.itemDelayForTest(requeues: 2) == .milliseconds(40))
        #expect(await queue.itemDelayForTest(requeues: 10) == .milliseconds(80))
        #expect(await queue.itemDelayForTest(requeues: 500) == .milliseconds(80))
        for expected in 1...3 {
            await queue.addRateLimited("k")
            #expect(await queue.numRequeues("k") == expected)
            #expect(await queue.get() == "k")
            await queue.done("k")
        }
        await queue.forget("k")
        #expect(await queue.numRequeues("k") == 0)
    }

    @Test("the token bucket limits the overall rate of rate-limited adds")
    func tokenBucket() async {
        let queue = WorkQueue<Int>(name: "test", rateLimiter: RateLimiterConfiguration(
            baseDelay: .milliseconds(1), maximumDelay: .milliseconds(1), queriesPerSecond: 20, burst: 2))
        let clock = ContinuousClock()
        let start = clock.now
        for key in 0..<6 { await queue.addRateLimited(key) }
        for _ in 0..<6 { _ = await queue.get() }
        // Two from the burst, four more at 20 per second: at least ~200 ms.
        #expect(clock.now - start >= .milliseconds(150))
    }

    @Test("shutDown wakes idle workers with nil; queued keys drain first")
    func shutDown() async {
        let queue = WorkQueue<String>(name: "test")
        let idle = Task { await queue.get() }
        try? await Task.sleep(for: .milliseconds(50))
        await queue.shutDown()
        #expect(await idle.value == nil)

        let draining = WorkQueue<String>(name: "drain")
        await draining.add("x")
        await draining.shutDown()
        await draining.add("ignored")
        #expect(await draining.get() == "x")
        #expect(await draining.get() == nil)
    }

    @Test("a cancelled worker's get returns nil")
    func cancelledGet() async {
        let queue = WorkQueue<String>(name: "test")
        let worker = Task { await queue.get() }
        try? await Task.sleep(for: .milliseconds(50))
        worker.cancel()
        #expect(await worker.value == nil)
        await queue.add("after")
        #expect(await queue.get() == "after")
    }

    @Test("many workers each get distinct keys")
    func concurrentWorkers() async {
        let queue = WorkQueue<Int>(name: "test")
        let seen = Seen()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    while let key = await queue.get() {
                        seen.keys.withLock { $0.append(key) }
                        await queue.done(key)
                    }
                }
            }
            for key in 0..<200 { await queue.add(key) }
            while await queue.count > 0 { try? await Task.sleep(for: .milliseconds(10)) }
            await queue.shutDown()
        }
        #expect(seen.keys.withLock { $0.sorted() } == Array(0..<200))
    }
}

final class Seen: Sendable {
    let keys = Mutex<[Int]>([])
}
