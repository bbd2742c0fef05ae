import Raft

/// The member serves etcd's API in process: writes become Raft proposals and answer once
/// applied; linearizable reads wait for a ReadIndex round, then read the local keyspace.
extension StoreNode: KeyValueStore {
    public func put(_ request: KV.PutRequest) async throws -> KV.PutResponse {
        let command = StoreCommand.put(PutRequest(key: request.key, value: request.value, prevKV: request.prevKV, lease: request.lease))
        guard case .put(let response) = try await propose(command) else { throw unexpectedResult() }
        return KV.PutResponse(header: header(revision: response.revision), prevKV: response.prevKV.map(Self.wire))
    }

    public func range(_ request: KV.RangeRequest) async throws -> KV.RangeResponse {
        if !request.serializable { try await readBarrier() }
        let response = try localRange(request)
        return response
    }

    public func deleteRange(_ request: KV.DeleteRangeRequest) async throws -> KV.DeleteRangeResponse {
        let command = StoreCommand.deleteRange(Self.domain(request))
        guard case .deleteRange(let response) = try await propose(command) else { throw unexpectedResult() }
        return KV.DeleteRangeResponse(
            header: header(revision: response.revision), deleted: response.deleted, prevKVs: response.prevKVs.map(Self.wire))
    }

    public func txn(_ request: KV.TxnRequest) async throws -> KV.TxnResponse {
        let domain = try Self.domain(request)
        if domain.isReadOnly {
            // Nothing to write: a ReadIndex round makes the local answer linearizable.
            try await readBarrier()
            do {
                return wire(try mvcc.readOnlyTxn(domain))
            } catch {
                throw Self.clientError(error)
            }
        }
        guard case .txn(let response) = try await propose(.txn(domain)) else { throw unexpectedResult() }
        return wire(response)
    }

    public func compact(_ request: KV.CompactionRequest) async throws -> KV.CompactionResponse {
        guard case .compact(let revision) = try await propose(.compact(revision: request.revision)) else {
            throw unexpectedResult()
        }
        return KV.CompactionResponse(header: header(revision: revision))
    }

    public func watch(_ request: KV.WatchCreateRequest) -> AsyncThrowingStream<KV.WatchResponse, any Error> {
        let (id, events) = mvcc.watchHub.watch(
            key: request.key, rangeEnd: request.rangeEnd, startRevision: request.startRevision, prevKV: request.prevKV)
        let hub = mvcc.watchHub
        let createdHeader = header(revision: mvcc.currentRevision)
        return AsyncThrowingStream { continuation in
            continuation.yield(KV.WatchResponse(header: createdHeader, created: true))
            let task = Task {
                do {
                    for try await batch in events {
                        let revision = batch.last?.kv.modRevision ?? 0
                        let wireEvents = batch.map { event in
                            KV.Event(
                                type: event.kind == .put ? .put : .delete, kv: Self.wire(event.kv),
                                prevKV: event.prevKV.map(Self.wire))
                        }
                        continuation.yield(KV.WatchResponse(header: self.header(revision: revision), events: wireEvents))
                    }
                    continuation.finish()
                } catch StoreError.compacted(let compactRevision) {
                    continuation.yield(
                        KV.WatchResponse(
                            header: self.header(revision: self.mvcc.currentRevision), canceled: true,
                            compactRevision: compactRevision,
                            cancelReason: "etcdserver: mvcc: required revision has been compacted"))
                    continuation.finish()
                } catch {
                    continuation.yield(
                        KV.WatchResponse(
                            header: self.header(revision: self.mvcc.currentRevision), canceled: true,
                            cancelReason: "\(error)"))
                    continuation.finish()
                }
            }
            continuation.onTermination = { _ in
                task.cancel()
                hub.cancel(id: id)
            }
        }
    }

    public func currentRevision() async throws -> Int64 {
        try await readBarrier()
        return mvcc.currentRevision
    }

    // MARK: - Proposals and reads

    /// Proposes `command` and waits for its result from the apply loop.
    ///
    /// A refusal before the entry entered any log fails fast with a retryable error. Once
    /// proposed, the entry may commit even if leadership changes, so the caller waits for the
    /// apply; if that takes longer than the request timeout the error says the outcome is
    /// unknown — never "failed" for a write that may still land.
    func propose(_ command: StoreCommand) async throws -> StoreResult {
        guard status.running else { throw KVStoreError.stopped("not running") }
        let requestID = shared.nextRequestID()
        let data = command.encoded(requestID: requestID)
        let mailbox = shared.mailbox
        let result = try await shared.proposals.wait(
            requestID, timeout: configuration.requestTimeout,
            timeoutError: KVStoreError.timeout("no result within the request timeout; the write may or may not have been applied")
        ) {
            mailbox.post(.propose(requestID: requestID, data: data))
        }
        if case .failed(let error) = result { throw Self.clientError(error) }
        return result
    }

    /// Returns once the local keyspace reflects every write that completed before this call
    /// (a ReadIndex round confirmed by a quorum, then applied locally).
    func readBarrier() async throws {
        guard status.running else { throw KVStoreError.stopped("not running") }
        let waiterID = shared.nextRequestID()
        let mailbox = shared.mailbox
        try await shared.reads.wait(
            waiterID, timeout: configuration.requestTimeout,
            timeoutError: KVStoreError.noLeader("no read index confirmed within the request timeout")
        ) {
            mailbox.post(.read(waiterID: waiterID))
        }
    }

    func localRange(_ request: KV.RangeRequest) throws -> KV.RangeResponse {
        do {
            let response = try mvcc.range(Self.domain(request))
            return KV.RangeResponse(
                header: header(revision: response.revision), kvs: response.kvs.map(Self.wire), more: response.more,
                count: response.count)
        } catch {
            throw Self.clientError(error)
        }
    }

    func header(revision: Int64) -> KV.ResponseHeader {
        let status = self.status
        return KV.ResponseHeader(clusterID: clusterID, memberID: status.id, revision: revision, raftTerm: status.term)
    }

    private func unexpectedResult() -> KVStoreError {
        .internal("the store answered a different kind of result than the request")
    }

    static func clientError(_ error: StoreError) -> KVStoreError {
        switch error {
        case .compacted(let revision):
            return KVStoreError(
                code: GatewayErrorCode.outOfRange,
                message: "etcdserver: mvcc: required revision has been compacted (compacted revision \(revision))")
        case .futureRevision:
            return KVStoreError(code: GatewayErrorCode.outOfRange, message: "etcdserver: mvcc: required revision is a future revision")
        case .keyEmpty:
            return .invalidArgument("etcdserver: key is not provided")
        case .tooManyOps:
            return .invalidArgument("etcdserver: too many operations in txn request")
        case .duplicateKey:
            return .invalidArgument("etcdserver: duplicate key given in txn request")
        case .leaseNotFound:
            return .notFound("etcdserver: requested lease not found")
        case .leaseExists:
            return .failedPrecondition("etcdserver: lease already exists")
        default:
            return .internal("\(error)")
        }
    }
}

// MARK: - Leases

extension StoreNode {
    /// etcd's floor for a lease TTL: one and a half election timeouts, rounded up to seconds,
    /// so a lease cannot expire during an ordinary leader change.
    var minimumLeaseTTL: Int64 {
        let election = configuration.tickInterval * configuration.electionTicks * 3 / 2
        let (seconds, attoseconds) = election.components
        return max(1, seconds + (attoseconds > 0 ? 1 : 0))
    }

    public func leaseGrant(_ request: KV.LeaseGrantRequest) async throws -> KV.LeaseGrantResponse {
        guard request.id >= 0 else { throw KVStoreError.invalidArgument("etcdserver: lease ID must be positive") }
        let ttl = max(request.ttl, minimumLeaseTTL)
        let id = request.id != 0 ? request.id : Int64.random(in: 1...Int64.max)
        switch try await propose(.leaseGrant(id: id, ttl: ttl)) {
        case .leaseGrant(let id, let ttl, let revision):
            return KV.LeaseGrantResponse(header: header(revision: revision), id: id, ttl: ttl)
        default:
            throw unexpectedLeaseResult()
        }
    }

    public func leaseRevoke(_ request: KV.LeaseRevokeRequest) async throws -> KV.LeaseRevokeResponse {
        guard case .leaseRevoke(let revision) = try await propose(.leaseRevoke(id: request.id)) else {
            throw unexpectedLeaseResult()
        }
        return KV.LeaseRevokeResponse(header: header(revision: revision))
    }

    public func leaseKeepAlive(_ request: KV.LeaseKeepAliveRequest) async throws -> KV.LeaseKeepAliveResponse {
        switch try await askLeader(request.id, renew: true) {
        case .ttl(let remaining, _):
            return KV.LeaseKeepAliveResponse(header: header(revision: mvcc.currentRevision), id: request.id, ttl: remaining)
        case .notFound:
            return KV.LeaseKeepAliveResponse(header: header(revision: mvcc.currentRevision), id: request.id, ttl: 0)
        case .notLeader(let leader):
            return try await forwardToLeader(leader) { try await $0.leaseKeepAlive(request) }
        }
    }

    public func leaseTimeToLive(_ request: KV.LeaseTimeToLiveRequest) async throws -> KV.LeaseTimeToLiveResponse {
        switch try await askLeader(request.id, renew: false) {
        case .ttl(let remaining, let granted):
            let keys = request.keys ? (mvcc.lease(request.id)?.keys ?? []) : []
            return KV.LeaseTimeToLiveResponse(
                header: header(revision: mvcc.currentRevision), id: request.id, ttl: remaining, grantedTTL: granted,
                keys: keys)
        case .notFound:
            return KV.LeaseTimeToLiveResponse(
                header: header(revision: mvcc.currentRevision), id: request.id, ttl: -1, grantedTTL: 0)
        case .notLeader(let leader):
            return try await forwardToLeader(leader) { try await $0.leaseTimeToLive(request) }
        }
    }

    private func askLeader(_ id: Int64, renew: Bool) async throws -> LeaseAnswer {
        guard status.running else { throw KVStoreError.stopped("not running") }
        let waiterID = shared.nextRequestID()
        let mailbox = shared.mailbox
        return try await shared.leases.wait(
            waiterID, timeout: configuration.requestTimeout,
            timeoutError: KVStoreError.timeout("the lease question was not answered within the request timeout")
        ) {
            mailbox.post(.lease(waiterID: waiterID, id: id, renew: renew))
        }
    }

    /// Only the leader keeps lease time: a member that does not lead asks the leader's client
    /// endpoint, as etcd forwards keep-alives.
    private func forwardToLeader<T: Sendable>(
        _ leader: NodeID, _ call: (GatewayClient) async throws -> T
    ) async throws -> T {
        guard leader != 0 else { throw KVStoreError.noLeader("no leader to keep lease time") }
        guard let url = status.members.members[leader]?.clientURL, !url.isEmpty else {
            throw KVStoreError.noLeader("the leader has not published its client URL yet")
        }
        return try await withGatewayClient(url, call)
    }

    private func unexpectedLeaseResult() -> KVStoreError {
        .internal("the store answered a different kind of result than the lease request")
    }
}
