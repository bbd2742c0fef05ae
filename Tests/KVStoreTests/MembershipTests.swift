import Foundation
import Raft
import Testing

@testable import KVStore

/// Membership details around the Raft core: every member's client URL is known cluster-wide,
/// a removed member stops, read-only transactions skip the log, and a data directory has one
/// owner at a time.
@Suite("Membership and member lifecycle", .serialized)
struct MembershipTests {
    @Test("founding members publish their client URLs: every member lists all of them")
    func clientURLsAreKnown() async throws {
        let cluster = try await NodeTestCluster(size: 3)
        defer { Task { await cluster.shutdown() } }
        try await cluster.waitUntilWritable()
        for index in 0..<3 {
            let all = await cluster.waitFor(index) { status in
                Set(status.members.members.values.map(\.clientURL)) == Set(cluster.clientURLs)
            }
            #expect(all)
        }
        let listed = try await GatewayClient(endpoints: [cluster.clientURLs[1]]).memberList()
        #expect(Set(listed.members.flatMap(\.clientURLs)) == Set(cluster.clientURLs))
    }

    @Test("a removed member stops by itself; the others keep serving")
    func removedMemberStops() async throws {
        let cluster = try await NodeTestCluster(size: 3)
        defer { Task { await cluster.shutdown() } }
        try await cluster.waitUntilWritable()
        let victim = try #require(cluster.nodes.indices.first { cluster.nodes[$0].status.role != .leader })
        let survivor = (victim + 1) % 3
        let client = GatewayClient(endpoints: [cluster.clientURLs[survivor]], timeout: .seconds(5))
        _ = try await client.memberRemove(id: cluster.nodes[victim].status.id)
        #expect(await cluster.waitFor(victim) { !$0.running })
        _ = try await client.put(KV.PutRequest(key: b("after"), value: b("removal")))
        let list = try await client.memberList()
        #expect(list.members.count == 2)
    }

    @Test("read-only transactions are answered without a log entry, linearizably, through any member")
    func readOnlyTxnSkipsTheLog() async throws {
        let cluster = try await NodeTestCluster(size: 3)
        defer { Task { await cluster.shutdown() } }
        try await cluster.waitUntilWritable()
        #expect(await cluster.waitFor(0) { status in status.members.members.values.allSatisfy { !$0.clientURL.isEmpty } })
        let clients = cluster.clientURLs.map { GatewayClient(endpoints: [$0], timeout: .seconds(5)) }
        let put = try await clients[0].put(KV.PutRequest(key: b("ro"), value: b("1")))
        // The published status lags by up to a tick: let it settle around the reads.
        try await Task.sleep(for: .milliseconds(200))
        let before = try await clients[0].status().raftIndex
        let readOnly = KV.TxnRequest(
            compare: [KV.Compare(key: b("ro"), target: .value, result: .equal, value: b("1"))],
            success: [KV.RequestOp(range: KV.RangeRequest(key: b("ro")))],
            failure: [])
        for client in clients {
            let response = try await client.txn(readOnly)
            #expect(response.succeeded)
            #expect(response.responses.first?.responseRange?.kvs.first?.value == b("1"))
            #expect((response.header?.revision ?? 0) >= (put.header?.revision ?? .max))
        }
        try await Task.sleep(for: .milliseconds(200))
        #expect(try await clients[0].status().raftIndex == before)
    }

    @Test("a second member on the same data directory is refused, naming the process holding it")
    func dataDirectoryLock() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let port = try ClusterHarness.freePort()
        func member() -> StoreNode {
            let configuration = NodeConfiguration(
                name: "solo", dataDirectory: URL(fileURLWithPath: directory.path), clientURL: "http://127.0.0.1:1",
                peerAddress: PeerAddress(host: "127.0.0.1", port: port),
                initialCluster: [("solo", PeerAddress(host: "127.0.0.1", port: port))])
            return StoreNode(configuration: configuration) { _, _ in (MemoryStorage(), "memory") }
        }
        let first = member()
        let running = Task { try await first.run() }
        for _ in 0..<200 where first.status.leader == 0 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(first.status.leader != 0)
        await #expect {
            try await member().run()
        } throws: { error in
            guard case NodeError.dataDirectoryInUse(_, let holder) = error else { return false }
            return holder == "process \(getpid())"
        }
        first.stop()
        try await running.value
        // Released on stop: the directory can be opened again.
        let again = member()
        let rerun = Task { try await again.run() }
        for _ in 0..<200 where again.status.leader == 0 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(again.status.leader != 0)
        again.stop()
        try await rerun.value
    }
}
