/// Conversions between the API messages (`KV.*`, etcd's shapes) and the keyspace's own
/// request and response values.
extension StoreNode {
    static func wire(_ kv: KeyValue) -> KV.KeyValue {
        KV.KeyValue(
            key: kv.key, value: kv.value, createRevision: kv.createRevision, modRevision: kv.modRevision,
            version: kv.version, lease: kv.lease)
    }

    static func domain(_ request: KV.RangeRequest) -> RangeRequest {
        RangeRequest(
            key: request.key, rangeEnd: request.rangeEnd, limit: request.limit, revision: request.revision,
            countOnly: request.countOnly, keysOnly: request.keysOnly)
    }

    static func domain(_ request: KV.DeleteRangeRequest) -> DeleteRangeRequest {
        DeleteRangeRequest(key: request.key, rangeEnd: request.rangeEnd, prevKV: request.prevKV)
    }

    static func domain(_ request: KV.PutRequest) -> PutRequest {
        PutRequest(key: request.key, value: request.value, prevKV: request.prevKV, lease: request.lease)
    }

    static func domain(_ compare: KV.Compare) throws -> Compare {
        let result: Compare.Result
        switch compare.effectiveResult {
        case .equal: result = .equal
        case .notEqual: result = .notEqual
        case .greater: result = .greater
        case .less: result = .less
        }
        switch compare.effectiveTarget {
        case .version:
            return Compare(key: compare.key, rangeEnd: compare.rangeEnd, target: .version, result: result, operand: compare.version)
        case .create:
            return Compare(
                key: compare.key, rangeEnd: compare.rangeEnd, target: .createRevision, result: result,
                operand: compare.createRevision)
        case .mod:
            return Compare(
                key: compare.key, rangeEnd: compare.rangeEnd, target: .modRevision, result: result,
                operand: compare.modRevision)
        case .value:
            return Compare(key: compare.key, rangeEnd: compare.rangeEnd, target: .value, result: result, value: compare.value)
        case .lease:
            throw KVStoreError.invalidArgument("compare on LEASE is not supported (leases are stored, not enforced)")
        }
    }

    static func domain(_ op: KV.RequestOp) throws -> RequestOp {
        if let range = op.requestRange { return .range(domain(range)) }
        if let put = op.requestPut { return .put(domain(put)) }
        if let delete = op.requestDeleteRange { return .deleteRange(domain(delete)) }
        if let txn = op.requestTxn { return .txn(try domain(txn)) }
        throw KVStoreError.invalidArgument("a txn operation sets none of request_range, request_put, request_delete_range, request_txn")
    }

    static func domain(_ request: KV.TxnRequest) throws -> TxnRequest {
        TxnRequest(
            compare: try request.compare.map(domain), success: try request.success.map(domain),
            failure: try request.failure.map(domain))
    }

    func wire(_ response: TxnResponse) -> KV.TxnResponse {
        KV.TxnResponse(
            header: header(revision: response.revision), succeeded: response.succeeded,
            responses: response.responses.map(wire))
    }

    func wire(_ op: ResponseOp) -> KV.ResponseOp {
        // Nested responses carry only a revision in their header, as etcd's do.
        switch op {
        case .range(let r):
            return KV.ResponseOp(
                range: KV.RangeResponse(
                    header: KV.ResponseHeader(revision: r.revision), kvs: r.kvs.map(Self.wire), more: r.more, count: r.count))
        case .put(let r):
            return KV.ResponseOp(put: KV.PutResponse(header: KV.ResponseHeader(revision: r.revision), prevKV: r.prevKV.map(Self.wire)))
        case .deleteRange(let r):
            return KV.ResponseOp(
                deleteRange: KV.DeleteRangeResponse(
                    header: KV.ResponseHeader(revision: r.revision), deleted: r.deleted, prevKVs: r.prevKVs.map(Self.wire)))
        case .txn(let r):
            return KV.ResponseOp(txn: wire(r))
        }
    }
}
