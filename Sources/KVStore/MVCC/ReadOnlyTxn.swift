/// Transactions that only read (compares and ranges, in any nesting) change nothing, so they
/// need no log entry: a member answers them from its own keyspace after a ReadIndex round,
/// as it does a linearizable range. Same answers as through the log, without a write to disk.
extension TxnRequest {
    /// True when no branch, at any depth, puts or deletes.
    public var isReadOnly: Bool {
        Self.readOnly(success) && Self.readOnly(failure)
    }

    private static func readOnly(_ ops: [RequestOp]) -> Bool {
        ops.allSatisfy { op in
            switch op {
            case .range: true
            case .put, .deleteRange: false
            case .txn(let nested): nested.isReadOnly
            }
        }
    }
}

extension KeySpace {
    /// Evaluates a read-only transaction at the current revision.
    func evaluateReadOnly(_ txn: TxnRequest) throws(StoreError) -> TxnResponse {
        try validate(txn)
        let succeeded = txn.compare.allSatisfy(holds)
        var responses: [ResponseOp] = []
        for op in succeeded ? txn.success : txn.failure {
            switch op {
            case .range(let range): responses.append(.range(try self.range(range)))
            case .txn(let nested): responses.append(.txn(try evaluateReadOnly(nested)))
            case .put, .deleteRange: preconditionFailure("evaluateReadOnly called with a writing txn")
            }
        }
        return TxnResponse(succeeded: succeeded, responses: responses, revision: currentRevision)
    }
}
