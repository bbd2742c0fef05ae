import Foundation
import Raft
import Testing
@testable import KVStore

/// Speed figures, printed rather than asserted (tests never fail on timing). Run through
/// `Scripts/bench/kvstore-storage`, which sets `SKIFF_BENCH`.
@Suite(
    "Storage benchmarks",
    .enabled(if: ProcessInfo.processInfo.environment["SKIFF_BENCH"] != nil, "benchmark: run Scripts/bench/kvstore-storage"))
struct StorageBenchmarks {
    func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    func percentile(_ samples: [Double], _ p: Double) -> Double {
        let sorted = samples.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }

    func report(_ name: String, _ value: Double, _ unit: String) {
        print("BENCH \(name) \(String(format: "%.3f", value)) \(unit)")
    }

    @Test("fdatasync latency of one small WAL append, and group-commit throughput")
    func walSync() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (wal, _) = try WAL.open(directory: dir.path)
        var latencies: [Double] = []
        for i in UInt64(1)...300 {
            latencies.append(try seconds {
                try wal.save(hardState: HardState(term: 1, commit: i - 1), entries: [Entry(term: 1, index: i, data: Array(repeating: 1, count: 256))])
                try wal.sync()
            })
        }
        report("wal.append+fdatasync.p50", percentile(latencies, 0.5) * 1e6, "us")
        report("wal.append+fdatasync.p99", percentile(latencies, 0.99) * 1e6, "us")
        // Paced like one request at a time from a client (etcd's side of the comparison is
        // driven that way): an idle disk between syncs syncs faster than back-to-back.
        var paced: [Double] = []
        for i in UInt64(301)...400 {
            Thread.sleep(forTimeInterval: 0.01)
            paced.append(try seconds {
                try wal.save(hardState: HardState(term: 1, commit: i - 1), entries: [Entry(term: 1, index: i, data: Array(repeating: 1, count: 256))])
                try wal.sync()
            })
        }
        report("wal.append+fdatasync.paced10ms.p50", percentile(paced, 0.5) * 1e6, "us")
        report("wal.append+fdatasync.paced10ms.p99", percentile(paced, 0.99) * 1e6, "us")
        let single = 1 / percentile(latencies, 0.5)
        var next: UInt64 = 401
        let batch = 100, batches = 50
        let elapsed = try seconds {
            for _ in 0..<batches {
                let entries = (0..<UInt64(batch)).map { Entry(term: 1, index: next + $0, data: Array(repeating: 2, count: 256)) }
                next += UInt64(batch)
                try wal.save(hardState: HardState(term: 1, commit: next - 1), entries: entries)
                try wal.sync()
            }
        }
        let grouped = Double(batch * batches) / elapsed
        report("wal.entries_per_s.sync_each", single, "entries/s")
        report("wal.entries_per_s.group_commit_100", grouped, "entries/s")
        report("wal.group_commit_speedup", grouped / single, "x")
    }

    @Test("MVCC put, prefix range and snapshot figures")
    func mvcc() throws {
        let store = MVCCStore()
        let keys = 20_000
        let value = Array(repeating: UInt8(ascii: "x"), count: 512)
        let putTime = seconds {
            for i in 0..<keys {
                _ = store.apply(.put(PutRequest(key: Array("/registry/pods/ns\(i % 20)/pod-\(i)".utf8), value: value)))
            }
        }
        report("mvcc.puts_per_s", Double(keys) / putTime, "puts/s")
        var rangeTimes: [Double] = []
        for i in 0..<200 {
            let request = RangeRequest.prefix(Array("/registry/pods/ns\(i % 20)/".utf8))
            rangeTimes.append(try seconds { _ = try store.range(request) })
        }
        report("mvcc.range_prefix_1000_of_20000.p50", percentile(rangeTimes, 0.5) * 1e3, "ms")
        var data: [UInt8] = []
        let encode = seconds { data = store.snapshotData() }
        let decode = try seconds { _ = try MVCCStore.restore(from: data) }
        report("mvcc.snapshot_bytes", Double(data.count) / 1e6, "MB")
        report("mvcc.snapshot_encode", encode * 1e3, "ms")
        report("mvcc.snapshot_restore", decode * 1e3, "ms")
        let crcTime = seconds { for _ in 0..<5 { _ = CRC32C.checksum(data) } }
        report("crc32c.throughput", Double(data.count * 5) / crcTime / 1e6, "MB/s")
    }
}
