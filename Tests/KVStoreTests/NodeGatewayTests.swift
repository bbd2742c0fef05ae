import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Raft
import Testing

@testable import KVStore

/// The whole member in process: Raft loop, transport, MVCC, HTTP endpoint, driven by the
/// same gateway client that drives etcd.
@Suite("Store node over the gateway", .serialized)
struct NodeGatewayTests {
    @Test("three members: writes through any member, linearizable reads, txn, watch, compaction, members")
    func threeMembers() async throws {
        let cluster = try await NodeTestCluster(size: 3)
        try await cluster.waitUntilWritable()
        defer { Task { await cluster.shutdown() } }
        let clients = cluster.clientURLs.map { GatewayClient(endpoints: [$0], timeout: .seconds(5)) }

        // A write through one member is read back through every other (ReadIndex reads).
        for (index, client) in clients.enumerated() {
            let put = try await client.put(KV.PutRequest(key: Array("k\(index)".utf8), value: Array("v\(index)".utf8)))
            for reader in clients {
                let got = try await reader.range(KV.RangeRequest(key: Array("k\(index)".utf8)))
                #expect(got.kvs.first?.value == Array("v\(index)".utf8))
                #expect((got.header?.revision ?? 0) >= (put.header?.revision ?? .max))
            }
        }

        // Compare-and-swap on mod revision, through a follower.
        let current = try await clients[1].range(KV.RangeRequest(key: Array("k0".utf8)))
        let modRevision = try #require(current.kvs.first?.modRevision)
        let swap = KV.TxnRequest(
            compare: [KV.Compare(key: Array("k0".utf8), target: .mod, result: .equal, operand: modRevision)],
            success: [KV.RequestOp(put: KV.PutRequest(key: Array("k0".utf8), value: Array("swapped".utf8)))],
            failure: [KV.RequestOp(range: KV.RangeRequest(key: Array("k0".utf8)))])
        #expect(try await clients[2].txn(swap).succeeded)
        let second = try await clients[0].txn(swap)
        #expect(!second.succeeded)
        #expect(second.responses.first?.responseRange?.kvs.first?.value == Array("swapped".utf8))

        // Watch from a past revision replays history, then follows live writes.
        var events = clients[2].watch(KV.WatchCreateRequest(key: Array("w".utf8), rangeEnd: KV.prefixEnd(of: Array("w".utf8)))).makeAsyncIterator()
        let created = try await events.next()
        #expect(created?.created == true)
        _ = try await clients[0].put(KV.PutRequest(key: Array("w1".utf8), value: Array("x".utf8)))
        _ = try await clients[1].deleteRange(KV.DeleteRangeRequest(key: Array("w1".utf8)))
        var seen: [KV.Event] = []
        while seen.count < 2, let response = try await events.next() { seen += response.events }
        #expect(seen.map(\.effectiveType) == [.put, .delete])

        // Compaction: old revisions are gone, with etcd's error code.
        let latest = try await clients[0].currentRevision()
        _ = try await clients[0].compact(KV.CompactionRequest(revision: latest))
        await #expect {
            _ = try await clients[1].range(KV.RangeRequest(key: Array("k0".utf8), revision: 2))
        } throws: { error in
            if case GatewayClientError.server(let status, let body) = error {
                return status == 400 && body.code == GatewayErrorCode.outOfRange
            }
            return false
        }

        // Members and status agree on one leader.
        let members = try await clients[1].memberList()
        #expect(members.members.count == 3)
        var leaders: Set<UInt64> = []
        for client in clients { leaders.insert(try await client.status().leader) }
        #expect(leaders.count == 1 && !leaders.contains(0))
    }

    @Test("enough writes to snapshot and compact the log still read back")
    func snapshotsAndCompaction() async throws {
        let cluster = try await NodeTestCluster(size: 1)
        try await cluster.waitUntilWritable()
        defer { Task { await cluster.shutdown() } }
        let client = GatewayClient(endpoints: cluster.clientURLs, timeout: .seconds(5))
        for index in 0..<200 {
            _ = try await client.put(KV.PutRequest(key: Array("s/\(index)".utf8), value: Array("\(index)".utf8)))
        }
        let all = try await client.range(KV.RangeRequest(key: Array("s/".utf8), rangeEnd: KV.prefixEnd(of: Array("s/".utf8))))
        #expect(all.count == 200)
    }

    @Test("bad requests get grpc-gateway errors naming the problem")
    func badRequests() async throws {
        let cluster = try await NodeTestCluster(size: 1)
        try await cluster.waitUntilWritable()
        defer { Task { await cluster.shutdown() } }
        var request = URLRequest(url: URL(string: cluster.clientURLs[0] + "/v3/kv/put")!)
        request.httpMethod = "POST"
        request.httpBody = Data(#"{"key": "not base64!"}"#.utf8)
        let (data, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.statusCode == 400)
        let body = try JSONDecoder().decode(KV.ErrorBody.self, from: data)
        #expect(body.code == GatewayErrorCode.invalidArgument)
        #expect(body.message?.contains("base64") == true)

        let client = GatewayClient(endpoints: cluster.clientURLs)
        await #expect(throws: GatewayClientError.self) {
            _ = try await client.put(KV.PutRequest(key: [], value: [1]))
        }
    }
}

@Suite("Store snapshot image")
struct NodeSnapshotImageTests {
    @Test("a saved image round-trips; truncated or damaged images are refused with the reason")
    func imageIntegrity() throws {
        let keySpace = MVCCStore().snapshotData()
        let image = StoreSnapshotImage.encode(keySpace: keySpace)
        #expect(try StoreSnapshotImage.decode(image, file: "x") == keySpace)
        #expect(throws: NodeError.self) { try StoreSnapshotImage.decode(Array(image.dropLast(3)), file: "x") }
        var flipped = image
        flipped[flipped.count - 6] ^= 0x01
        #expect(throws: NodeError.self) { try StoreSnapshotImage.decode(flipped, file: "x") }
        #expect(throws: NodeError.self) { try StoreSnapshotImage.decode(Array("not a snapshot".utf8), file: "x") }
    }
}

@Suite("Store node membership")
struct NodeMembershipTests {
    @Test("a member started with --join catches up as a learner, is promoted, and serves reads")
    func joinAsLearnerThenPromote() async throws {
        let cluster = try await NodeTestCluster(size: 1)
        try await cluster.waitUntilWritable()
        defer { Task { await cluster.shutdown() } }
        let client = GatewayClient(endpoints: cluster.clientURLs, timeout: .seconds(5))
        for index in 0..<20 {
            _ = try await client.put(KV.PutRequest(key: Array("before/\(index)".utf8), value: [UInt8(index)]))
        }

        var configuration = NodeConfiguration(
            name: "joiner", dataDirectory: cluster.root.appendingPathComponent("joiner"),
            clientURL: "http://127.0.0.1:\(try ClusterHarness.freePort())",
            peerAddress: PeerAddress(host: "127.0.0.1", port: try ClusterHarness.freePort()), initialCluster: [],
            join: cluster.clientURLs[0])
        configuration.tickInterval = .milliseconds(20)
        let joiner = StoreNode(configuration: configuration, logger: .init(label: "test")) { _, _ in (MemoryStorage(), "memory") }
        let run = Task { try await joiner.run() }
        defer {
            joiner.stop()
            run.cancel()
        }

        var voters = 0
        for _ in 0..<200 {
            let members = try await client.memberList().members
            voters = members.filter { !$0.isLearner }.count
            if voters == 2 { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(voters == 2, "the joiner was not promoted to a voter")
        let prefix = Array("before/".utf8)
        let read = try await joiner.range(KV.RangeRequest(key: prefix, rangeEnd: KV.prefixEnd(of: prefix)))
        #expect(read.count == 20)
        // Writes now need both voters; one through the joiner commits.
        _ = try await joiner.put(KV.PutRequest(key: Array("after".utf8), value: [1]))
        #expect(try await client.range(KV.RangeRequest(key: Array("after".utf8))).count == 1)
    }
}
