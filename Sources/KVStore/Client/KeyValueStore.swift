/// The store as the apiserver sees it: etcd's key-value API. The node implements it in
/// process (`NodeKeyValueStore`), `GatewayClient` implements it over HTTP, so the caller
/// does not care whether the store is embedded or remote — or etcd.
public protocol KeyValueStore: Sendable {
    func range(_ request: KV.RangeRequest) async throws -> KV.RangeResponse
    func put(_ request: KV.PutRequest) async throws -> KV.PutResponse
    func deleteRange(_ request: KV.DeleteRangeRequest) async throws -> KV.DeleteRangeResponse
    /// Compares, then runs `success` or `failure` atomically at one revision.
    func txn(_ request: KV.TxnRequest) async throws -> KV.TxnResponse
    /// Discards history before `revision`; later reads and watches below it fail with `.compacted`.
    func compact(_ request: KV.CompactionRequest) async throws -> KV.CompactionResponse
    /// Events for the key or range from `startRevision` (0: from now), then live, in order.
    /// The first response has `created == true`; a response with `canceled == true` ends it.
    func watch(_ request: KV.WatchCreateRequest) -> AsyncThrowingStream<KV.WatchResponse, any Error>
    /// The latest revision, linearizably (a ReadIndex round on a replicated store).
    func currentRevision() async throws -> Int64

    /// Grants a lease; keys put with its id are deleted when it is revoked or expires.
    func leaseGrant(_ request: KV.LeaseGrantRequest) async throws -> KV.LeaseGrantResponse
    /// Revokes a lease now, deleting its keys (404 NotFound if it does not exist).
    func leaseRevoke(_ request: KV.LeaseRevokeRequest) async throws -> KV.LeaseRevokeResponse
    /// Restarts a lease's TTL; the answer's `ttl` is 0 when the lease is gone.
    func leaseKeepAlive(_ request: KV.LeaseKeepAliveRequest) async throws -> KV.LeaseKeepAliveResponse
    /// Time left (-1 if the lease does not exist), the granted TTL and optionally the keys.
    func leaseTimeToLive(_ request: KV.LeaseTimeToLiveRequest) async throws -> KV.LeaseTimeToLiveResponse
}

/// Stores without leases (test doubles written before leases existed) answer Unimplemented.
extension KeyValueStore {
    public func leaseGrant(_ request: KV.LeaseGrantRequest) async throws -> KV.LeaseGrantResponse {
        throw KVStoreError(code: GatewayErrorCode.unimplemented, message: "leases are not supported by this store")
    }

    public func leaseRevoke(_ request: KV.LeaseRevokeRequest) async throws -> KV.LeaseRevokeResponse {
        throw KVStoreError(code: GatewayErrorCode.unimplemented, message: "leases are not supported by this store")
    }

    public func leaseKeepAlive(_ request: KV.LeaseKeepAliveRequest) async throws -> KV.LeaseKeepAliveResponse {
        throw KVStoreError(code: GatewayErrorCode.unimplemented, message: "leases are not supported by this store")
    }

    public func leaseTimeToLive(_ request: KV.LeaseTimeToLiveRequest) async throws -> KV.LeaseTimeToLiveResponse {
        throw KVStoreError(code: GatewayErrorCode.unimplemented, message: "leases are not supported by this store")
    }
}

/// Membership and maintenance, as etcd's Cluster and Maintenance services offer them.
public protocol StoreAdministration: Sendable {
    func memberList() async throws -> KV.MemberListResponse
    func memberAdd(_ request: KV.MemberAddRequest) async throws -> KV.MemberAddResponse
    func memberRemove(id: UInt64) async throws -> KV.MemberListResponse
    func memberPromote(id: UInt64) async throws -> KV.MemberListResponse
    func status() async throws -> KV.StatusResponse
    /// A consistent image of the whole keyspace (restorable with `skiff store snapshot restore`).
    func snapshot() -> AsyncThrowingStream<KV.SnapshotChunk, any Error>
}

extension GatewayClient: KeyValueStore, StoreAdministration {
    public func currentRevision() async throws -> Int64 {
        try await range(KV.RangeRequest(key: [0], limit: 1, countOnly: true)).header?.revision ?? 0
    }
}
