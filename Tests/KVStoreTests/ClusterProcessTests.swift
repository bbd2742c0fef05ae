import Foundation
import KVStore
import Linearizability
import Synchronization
import Testing

/// Real processes, real sockets, real disks: three `skiff store run` members on loopback
/// while clients write and read and the leader is SIGKILLed and restarted.
@Suite("Cluster processes", .serialized)
struct ClusterProcessTests {
    static let binary = ClusterHarness.skiffBinary

    @Test(
        "acknowledged writes survive leader kills and a whole-cluster kill; history is linearizable",
        .enabled(if: binary != nil, "the skiff executable is not built next to the tests (swift build --product skiff)"),
        .timeLimit(.minutes(3)))
    func leaderKillsKeepAcknowledgedWritesAndLinearizability() async throws {
        let harness = try ClusterHarness(binary: try #require(Self.binary), memberCount: 3)
        defer { harness.shutdown() }
        try harness.startAll()
        try await harness.waitUntilWritable()

        let recorder = HistoryRecorder()
        let stop = StopFlag()
        let endpoints = harness.endpoints
        async let workload: Void = withTaskGroup(of: Void.self) { group in
            for client in 0..<3 {
                group.addTask { await Workload.registerClient(client, endpoints: endpoints, recorder: recorder, stop: stop) }
            }
            group.addTask { await Workload.durableWriter(endpoints: endpoints, recorder: recorder, stop: stop) }
        }

        // Kill the leader a few times while the clients run.
        var killed: [String] = []
        for _ in 0..<3 {
            try await Task.sleep(for: .seconds(2))
            guard let leader = await harness.leader() else {
                Issue.record("no leader elected\n\(harness.allLogs())")
                return
            }
            harness.kill(leader)
            killed.append(leader)
            try await Task.sleep(for: .seconds(2))
            try harness.start(leader)
        }
        try await Task.sleep(for: .seconds(2))
        stop.set()
        await workload

        let history = recorder.history
        let acknowledged = recorder.acknowledgedKeys
        let completed = history.filter { $0.return != nil }.count
        #expect(completed > 50, "too few operations completed (\(completed)) to say anything\n\(harness.allLogs())")
        #expect(acknowledged.count > 20, "too few durable writes acknowledged (\(acknowledged.count))")

        let unknown = history.filter { $0.return == nil }.count
        print(
            "cluster fault test: killed leaders \(killed), \(completed) operations completed, \(unknown) with unknown outcome, "
                + "\(acknowledged.count) durable writes acknowledged")
        let result = Linearizability.check(history: history, model: KVModel())
        #expect(result == .linearizable, "history of \(history.count) operations: \(result)")

        // Every acknowledged write is there now …
        try await Self.expectPresent(acknowledged, harness: harness)

        // … and after every member is SIGKILLed at once and restarted.
        harness.killAll()
        try harness.startAll()
        try await harness.waitUntilWritable()
        try await Self.expectPresent(acknowledged, harness: harness)
    }

    @Test(
        "a torn WAL tail is truncated on restart; a flipped byte in the middle is refused",
        .enabled(if: binary != nil, "the skiff executable is not built next to the tests (swift build --product skiff)"),
        .timeLimit(.minutes(2)))
    func walDamageIsRecoveredOrRefused() async throws {
        let harness = try ClusterHarness(binary: try #require(Self.binary), memberCount: 1)
        defer { harness.shutdown() }
        try harness.startAll()
        try await harness.waitUntilWritable()
        let client = GatewayClient(endpoints: harness.endpoints, timeout: .seconds(5))
        for index in 0..<50 {
            _ = try await client.put(KV.PutRequest(key: Array("wal/\(index)".utf8), value: Array(repeating: 7, count: 100)))
        }
        harness.kill("m1")

        // A torn tail: a partial record after the last complete one. Segments are
        // preallocated (zero padding), so the data ends at the last non-zero byte; the
        // fragment goes a little past it, leaving every complete record untouched.
        let segment = try #require(harness.walSegments(of: "m1").last, "no WAL segment in the data directory")
        var bytes = try Data(contentsOf: segment)
        let dataEnd = try #require(bytes.lastIndex { $0 != 0 }) + 1
        let fragment: [UInt8] = [0x40, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 2, 1, 2, 3]
        let tornAt = dataEnd + 256
        if bytes.count < tornAt + fragment.count { bytes.append(Data(count: tornAt + fragment.count - bytes.count)) }
        bytes.replaceSubrange(tornAt..<tornAt + fragment.count, with: fragment)
        try bytes.write(to: segment)
        try harness.start("m1")
        try await harness.waitUntilWritable()
        let prefix = Array("wal/".utf8)
        let afterTear = try await client.range(KV.RangeRequest(key: prefix, rangeEnd: KV.prefixEnd(of: prefix)))
        #expect(afterTear.count == 50, "writes lost after torn-tail recovery")
        #expect(harness.log(of: "m1").contains("torn tail"), "the recovery report does not mention the torn tail\n\(harness.log(of: "m1").suffix(2000))")
        harness.kill("m1")

        // A flipped byte in the middle of the written data: startup must refuse, naming the
        // file and the position.
        let damaged = try #require(harness.walSegments(of: "m1").first)
        var data = try Data(contentsOf: damaged)
        let end = try #require(data.lastIndex { $0 != 0 }) + 1
        data[end / 2] ^= 0xff
        try data.write(to: damaged)
        let (status, output) = try harness.runToExit("m1", timeout: 20)
        #expect(status != 0, "a member with a corrupt WAL started anyway\n\(output.suffix(2000))")
        #expect(output.contains(damaged.lastPathComponent), "the error does not name the damaged file\n\(output.suffix(2000))")
        #expect(output.contains("byte") || output.contains("offset"), "the error does not name the position\n\(output.suffix(2000))")
    }

    static func expectPresent(_ keys: [String], harness: ClusterHarness) async throws {
        let client = GatewayClient(endpoints: harness.endpoints, timeout: .seconds(5))
        let prefix = Array("durable/".utf8)
        var response: KV.RangeResponse?
        for _ in 0..<50 {
            if let r = try? await client.range(KV.RangeRequest(key: prefix, rangeEnd: KV.prefixEnd(of: prefix), keysOnly: true)) {
                response = r
                break
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let present = Set(try #require(response, "cannot read back\n\(harness.allLogs())").kvs.map { String(decoding: $0.key, as: UTF8.self) })
        let missing = keys.filter { !present.contains($0) }
        #expect(missing.isEmpty, "\(missing.count) acknowledged writes are missing, e.g. \(missing.prefix(5))\n\(harness.allLogs())")
    }
}

