import Foundation
import Testing

@testable import KVStore

/// Leases with etcd's semantics: the keyspace part (grant, attach, revoke deletes the keys
/// through the log, snapshots keep leases) and the cluster part (the leader keeps time,
/// keep-alives renew, expiry revokes).
@Suite("Leases", .serialized)
struct LeaseTests {
    @Test("revoking a lease deletes its keys at one revision, with delete events for watchers")
    func revokeDeletesKeys() async throws {
        let store = MVCCStore()
        #expect(store.apply(.leaseGrant(id: 7, ttl: 10)) == .leaseGrant(id: 7, ttl: 10, revision: 1))
        #expect(store.apply(.leaseGrant(id: 7, ttl: 10)) == .failed(.leaseExists))
        store.apply(.put(PutRequest(key: b("a"), value: b("1"), lease: 7)))
        store.apply(.put(PutRequest(key: b("b"), value: b("2"), lease: 7)))
        store.apply(.put(PutRequest(key: b("c"), value: b("3"))))
        // Re-putting a key without the lease detaches it.
        store.apply(.put(PutRequest(key: b("b"), value: b("2'"))))
        #expect(store.lease(7)?.keys == [b("a")])
        #expect(store.apply(.put(PutRequest(key: b("x"), value: b("1"), lease: 99))) == .failed(.leaseNotFound))
        let txn = TxnRequest(success: [.put(PutRequest(key: b("y"), value: b("1"), lease: 99))])
        #expect(store.apply(.txn(txn)) == .failed(.leaseNotFound))

        let (_, events) = store.watchHub.watch(key: b("a"), rangeEnd: b("z"))
        let before = store.currentRevision
        #expect(store.apply(.leaseRevoke(id: 7)) == .leaseRevoke(revision: before + 1))
        #expect(try store.get("a") == nil)
        #expect(try store.get("b")?.value == b("2'"))
        #expect(try store.get("c")?.value == b("3"))
        #expect(store.lease(7) == nil)
        #expect(store.apply(.leaseRevoke(id: 7)) == .failed(.leaseNotFound))
        var iterator = events.makeAsyncIterator()
        let batch = try await iterator.next()
        #expect(batch?.map(\.kind) == [.delete])
        #expect(batch?.first?.kv.key == b("a"))
    }

    @Test("leases and their keys survive a keyspace snapshot; lease commands round-trip the codec")
    func snapshotKeepsLeases() throws {
        let store = MVCCStore()
        store.apply(.leaseGrant(id: 3, ttl: 60))
        store.apply(.put(PutRequest(key: b("k"), value: b("v"), lease: 3)))
        let restored = try MVCCStore.restore(from: store.snapshotData())
        #expect(restored.leases == [3: 60])
        #expect(restored.lease(3)?.keys == [b("k")])
        for command in [StoreCommand.leaseGrant(id: 3, ttl: 60), .leaseRevoke(id: 3)] {
            let decoded = try StoreCommand.decode(command.encoded(requestID: 42))
            #expect(decoded.command == command)
            #expect(decoded.requestID == 42)
        }
    }

    @Test("a cluster grants, renews through a follower, reports time to live, revokes and expires leases")
    func clusterLeases() async throws {
        let cluster = try await NodeTestCluster(size: 3)
        defer { Task { await cluster.shutdown() } }
        try await cluster.waitUntilWritable()
        let clients = cluster.clientURLs.map { GatewayClient(endpoints: [$0], timeout: .seconds(5)) }
        // Followers forward lease questions to the leader's client URL: wait until every member
        // published its own.
        #expect(await cluster.waitFor(0) { status in status.members.members.values.allSatisfy { !$0.clientURL.isEmpty } })
        let follower = try #require(cluster.nodes.indices.first { cluster.nodes[$0].status.role != .leader })

        // TTLs below the floor (1.5 election timeouts) are raised to it.
        let short = try await clients[follower].leaseGrant(KV.LeaseGrantRequest(ttl: 1))
        #expect(short.ttl == cluster.nodes[0].minimumLeaseTTL)
        let long = try await clients[0].leaseGrant(KV.LeaseGrantRequest(ttl: 300, id: 1234))
        #expect(long.id == 1234)
        #expect(long.ttl == 300)
        _ = try await clients[1].put(KV.PutRequest(key: b("short/1"), value: b("x"), lease: short.id))
        _ = try await clients[2].put(KV.PutRequest(key: b("long/1"), value: b("y"), lease: long.id))
        _ = try await clients[2].put(KV.PutRequest(key: b("long/2"), value: b("y"), lease: long.id))
        await #expect(throws: GatewayClientError.self) {
            _ = try await clients[0].put(KV.PutRequest(key: b("none"), value: b("z"), lease: 555))
        }

        let renewed = try await clients[follower].leaseKeepAlive(KV.LeaseKeepAliveRequest(id: long.id))
        #expect(renewed.ttl == 300)
        let ttl = try await clients[follower].leaseTimeToLive(KV.LeaseTimeToLiveRequest(id: long.id, keys: true))
        #expect(ttl.grantedTTL == 300)
        #expect(ttl.ttl > 0 && ttl.ttl <= 300)
        #expect(ttl.keys.map(\.bytes) == [b("long/1"), b("long/2")])
        #expect(try await clients[0].leaseTimeToLive(KV.LeaseTimeToLiveRequest(id: 999)).ttl == -1)
        #expect(try await clients[0].leaseKeepAlive(KV.LeaseKeepAliveRequest(id: 999)).ttl == 0)

        // Revoke: the keys go at once, on every member.
        _ = try await clients[1].leaseRevoke(KV.LeaseRevokeRequest(id: long.id))
        for client in clients {
            #expect(try await client.range(KV.RangeRequest(key: b("long/"), rangeEnd: KV.prefixEnd(of: b("long/")))).kvs.isEmpty)
        }
        await #expect(throws: GatewayClientError.self) {
            _ = try await clients[1].leaseRevoke(KV.LeaseRevokeRequest(id: long.id))
        }

        // Expiry: nobody renews the short lease; the leader revokes it through the log.
        var gone = false
        for _ in 0..<400 where !gone {
            gone = try await clients[2].range(KV.RangeRequest(key: b("short/1"))).kvs.isEmpty
            if !gone { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(gone)
        #expect(try await clients[0].leaseTimeToLive(KV.LeaseTimeToLiveRequest(id: short.id)).ttl == -1)
    }
}
