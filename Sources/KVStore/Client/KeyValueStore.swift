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
