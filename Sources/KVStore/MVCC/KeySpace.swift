/// The keyspace state and its pure operations, with no locking: `MVCCStore` owns one behind
/// a mutex. Keys live in a hash map (key → all retained versions) for O(1) point access and
/// in a `SortedKeySet` for ordered range scans.
struct KeySpace {
    var histories: [[UInt8]: KeyHistory] = [:]
    var keys = SortedKeySet()
    /// etcd starts an empty store at revision 1; the first write gets revision 2.
    var currentRevision: Int64 = 1
    var compactedRevision: Int64 = 0
    /// Granted leases: id → TTL in seconds. Expiry deadlines are not state-machine state:
    /// only the leader keeps time (see `LeaseClock`), and revokes through the log.
    var leases: [Int64: Int64] = [:]
    /// Live keys attached to each lease (rebuilt from the versions' `lease` on restore).
    var leaseKeys: [Int64: Set<[UInt8]>] = [:]

    /// The changes of one applied write, for the watch hub.
    typealias Changes = RevisionEvents

    // MARK: Reads

    /// Serves a range. `revision == 0` reads the newest state, including writes made earlier
    /// in the transaction being applied.
    func range(_ request: RangeRequest) throws(StoreError) -> RangeResponse {
        try validate(request)
        let readRevision = request.revision > 0 ? request.revision : Int64.max
        let limit = request.limit > 0 ? Int(clamping: request.limit) : Int.max
        var kvs: [KeyValue] = []
        var count = 0
        keys.forEach(in: KeyInterval(key: request.key, rangeEnd: request.rangeEnd)) { key in
            guard let version = histories[key]?.version(at: readRevision) else { return true }
            count += 1
            if !request.countOnly && kvs.count < limit {
                var kv = version.keyValue(key: key)
                if request.keysOnly { kv.value = [] }
                kvs.append(kv)
            }
            return true
        }
        return RangeResponse(
            kvs: kvs, count: Int64(count), more: !request.countOnly && count > kvs.count,
            revision: currentRevision)
    }

    func validate(_ request: RangeRequest) throws(StoreError) {
        guard !request.key.isEmpty else { throw .keyEmpty }
        guard request.revision <= currentRevision else { throw .futureRevision }
        if request.revision > 0 && request.revision < compactedRevision {
            throw .compacted(compactedRevision)
        }
    }

    /// The current versions of the live keys in an interval.
    private func liveVersions(key: [UInt8], rangeEnd: [UInt8]) -> [(key: [UInt8], version: KeyVersion)] {
        var found: [(key: [UInt8], version: KeyVersion)] = []
        if rangeEnd.isEmpty {
            if let live = histories[key]?.live { found.append((key, live)) }
            return found
        }
        keys.forEach(in: KeyInterval(key: key, rangeEnd: rangeEnd)) { key in
            if let live = histories[key]?.live { found.append((key, live)) }
            return true
        }
        return found
    }

    // MARK: Writes

    mutating func apply(_ command: StoreCommand) -> (StoreResult, Changes?) {
        let revision = currentRevision + 1
        var events: [WatchEvent] = []
        let result: StoreResult
        switch command {
        case .put(let put):
            guard !put.key.isEmpty else { return (.failed(.keyEmpty), nil) }
            guard put.lease == 0 || leases[put.lease] != nil else { return (.failed(.leaseNotFound), nil) }
            result = .put(self.put(put, at: revision, events: &events))
        case .deleteRange(let delete):
            guard !delete.key.isEmpty else { return (.failed(.keyEmpty), nil) }
            var response = self.delete(delete, at: revision, events: &events)
            if events.isEmpty { response.revision = currentRevision }
            result = .deleteRange(response)
        case .txn(let txn):
            do {
                try validate(txn)
                try checkLeases(txn)
                let response = try execute(txn, at: revision, events: &events)
                let finalRevision = events.isEmpty ? currentRevision : revision
                result = .txn(response.settingRevision(finalRevision))
            } catch {
                return (.failed(error), nil)
            }
        case .compact(let target):
            if let error = compact(to: target) { return (.failed(error), nil) }
            return (.compact(revision: currentRevision), nil)
        case .leaseGrant(let id, let ttl):
            guard id > 0 else { return (.failed(.leaseNotFound), nil) }
            guard leases[id] == nil else { return (.failed(.leaseExists), nil) }
            leases[id] = ttl
            return (.leaseGrant(id: id, ttl: ttl, revision: currentRevision), nil)
        case .leaseRevoke(let id):
            guard leases[id] != nil else { return (.failed(.leaseNotFound), nil) }
            let doomed = (leaseKeys[id] ?? []).sorted(by: keyLess)
            for key in doomed {
                _ = self.delete(DeleteRangeRequest(key: key), at: revision, events: &events)
            }
            leases[id] = nil
            leaseKeys[id] = nil
            result = .leaseRevoke(revision: events.isEmpty ? currentRevision : revision)
        }
        guard !events.isEmpty else { return (result, nil) }
        currentRevision = revision
        return (result, RevisionEvents(revision: revision, events: events))
    }

    private mutating func put(_ request: PutRequest, at revision: Int64, events: inout [WatchEvent]) -> PutResponse {
        let previous = histories[request.key]?.live
        let version = KeyVersion(
            modRevision: revision, createRevision: previous?.createRevision ?? revision,
            version: (previous?.version ?? 0) + 1, lease: request.lease, value: request.value,
            isTombstone: false)
        if histories[request.key] == nil { keys.insert(request.key) }
        if previous?.lease != request.lease {
            if let old = previous?.lease, old != 0 { leaseKeys[old]?.remove(request.key) }
            if request.lease != 0 { leaseKeys[request.lease, default: []].insert(request.key) }
        }
        histories[request.key, default: KeyHistory(versions: [])].versions.append(version)
        let previousKV = previous?.keyValue(key: request.key)
        events.append(WatchEvent(kind: .put, kv: version.keyValue(key: request.key), prevKV: previousKV))
        return PutResponse(revision: revision, prevKV: request.prevKV ? previousKV : nil)
    }

    private mutating func delete(
        _ request: DeleteRangeRequest, at revision: Int64, events: inout [WatchEvent]
    ) -> DeleteRangeResponse {
        let doomed = liveVersions(key: request.key, rangeEnd: request.rangeEnd)
        var prevKVs: [KeyValue] = []
        for (key, live) in doomed {
            let tombstone = KeyVersion(
                modRevision: revision, createRevision: 0, version: 0, lease: 0, value: [], isTombstone: true)
            histories[key, default: KeyHistory(versions: [])].versions.append(tombstone)
            if live.lease != 0 { leaseKeys[live.lease]?.remove(key) }
            let previousKV = live.keyValue(key: key)
            events.append(WatchEvent(kind: .delete, kv: KeyValue(key: key, modRevision: revision), prevKV: previousKV))
            if request.prevKV { prevKVs.append(previousKV) }
        }
        return DeleteRangeResponse(revision: revision, deleted: Int64(doomed.count), prevKVs: prevKVs)
    }

    private mutating func execute(
        _ txn: TxnRequest, at revision: Int64, events: inout [WatchEvent]
    ) throws(StoreError) -> TxnResponse {
        let succeeded = txn.compare.allSatisfy(holds)
        var responses: [ResponseOp] = []
        for op in succeeded ? txn.success : txn.failure {
            switch op {
            case .range(let range): responses.append(.range(try self.range(range)))
            case .put(let put): responses.append(.put(self.put(put, at: revision, events: &events)))
            case .deleteRange(let delete): responses.append(.deleteRange(self.delete(delete, at: revision, events: &events)))
            case .txn(let nested): responses.append(.txn(try execute(nested, at: revision, events: &events)))
            }
        }
        return TxnResponse(succeeded: succeeded, responses: responses, revision: revision)
    }

    /// Whether a compare holds against the current state.
    func holds(_ compare: Compare) -> Bool {
        let found = liveVersions(key: compare.key, rangeEnd: compare.rangeEnd)
        if found.isEmpty {
            if compare.target == .value { return false }
            return Self.holds(compare, on: KeyVersion(
                modRevision: 0, createRevision: 0, version: 0, lease: 0, value: [], isTombstone: false))
        }
        return found.allSatisfy { Self.holds(compare, on: $0.version) }
    }

    private static func holds(_ compare: Compare, on version: KeyVersion) -> Bool {
        let order: Int
        switch compare.target {
        case .value: order = compareKeys(version.value, compare.value)
        case .version: order = version.version == compare.operand ? 0 : (version.version < compare.operand ? -1 : 1)
        case .createRevision:
            order = version.createRevision == compare.operand ? 0 : (version.createRevision < compare.operand ? -1 : 1)
        case .modRevision:
            order = version.modRevision == compare.operand ? 0 : (version.modRevision < compare.operand ? -1 : 1)
        }
        switch compare.result {
        case .equal: return order == 0
        case .notEqual: return order != 0
        case .greater: return order > 0
        case .less: return order < 0
        }
    }

    // MARK: Validation (before any change, so a refused transaction changes nothing)

    func validate(_ txn: TxnRequest) throws(StoreError) {
        guard txn.compare.count <= MVCCStore.maxTxnOps, txn.success.count <= MVCCStore.maxTxnOps,
              txn.failure.count <= MVCCStore.maxTxnOps
        else { throw .tooManyOps }
        for compare in txn.compare where compare.key.isEmpty { throw .keyEmpty }
        _ = try writtenKeys(txn.success)
        _ = try writtenKeys(txn.failure)
    }

    /// Checks one branch's operations and returns the keys it may put and the intervals it
    /// may delete. etcd's rule: one revision holds at most one change per key.
    private func writtenKeys(_ ops: [RequestOp]) throws(StoreError) -> (puts: Set<[UInt8]>, deletes: [KeyInterval]) {
        var puts = Set<[UInt8]>()
        var deletes: [KeyInterval] = []
        for op in ops {
            switch op {
            case .range(let range):
                try validate(range)
            case .put(let put):
                guard !put.key.isEmpty else { throw .keyEmpty }
                guard puts.insert(put.key).inserted else { throw .duplicateKey }
            case .deleteRange(let delete):
                guard !delete.key.isEmpty else { throw .keyEmpty }
                deletes.append(KeyInterval(key: delete.key, rangeEnd: delete.rangeEnd))
            case .txn(let nested):
                try validate(nested)
                let success = try writtenKeys(nested.success)
                let failure = try writtenKeys(nested.failure)
                for key in success.puts.union(failure.puts) {
                    guard puts.insert(key).inserted else { throw .duplicateKey }
                }
                deletes += success.deletes + failure.deletes
            }
        }
        for interval in deletes {
            for key in puts where interval.contains(key) { throw .duplicateKey }
        }
        return (puts, deletes)
    }

    /// Every put in either branch (at any depth) must name a granted lease or none. Stricter
    /// than checking only the branch that runs, and decided before anything changes.
    private func checkLeases(_ txn: TxnRequest) throws(StoreError) {
        for op in txn.success + txn.failure {
            switch op {
            case .put(let put): if put.lease != 0 && leases[put.lease] == nil { throw .leaseNotFound }
            case .txn(let nested): try checkLeases(nested)
            case .range, .deleteRange: break
            }
        }
    }

    /// Rebuilds `leaseKeys` from the live versions (after decoding a snapshot).
    mutating func rebuildLeaseKeys() {
        leaseKeys = [:]
        for (key, history) in histories {
            if let live = history.live, live.lease != 0, leases[live.lease] != nil {
                leaseKeys[live.lease, default: []].insert(key)
            }
        }
    }

    // MARK: Compaction

    /// Drops versions below `target`; returns the refusal, if any.
    mutating func compact(to target: Int64) -> StoreError? {
        guard target > compactedRevision else { return .compacted(compactedRevision) }
        guard target <= currentRevision else { return .futureRevision }
        var emptied: [[UInt8]] = []
        var index = histories.startIndex
        while index != histories.endIndex {
            if histories.values[index].compact(to: target) { emptied.append(histories.keys[index]) }
            index = histories.index(after: index)
        }
        for key in emptied {
            histories[key] = nil
            keys.remove(key)
        }
        compactedRevision = target
        return nil
    }
}

extension TxnResponse {
    /// Every response in a transaction reports the revision the whole transaction ended at.
    func settingRevision(_ revision: Int64) -> TxnResponse {
        TxnResponse(
            succeeded: succeeded, responses: responses.map { $0.settingRevision(revision) }, revision: revision)
    }
}

extension ResponseOp {
    func settingRevision(_ revision: Int64) -> ResponseOp {
        switch self {
        case .range(var response):
            response.revision = revision
            return .range(response)
        case .put(var response):
            response.revision = revision
            return .put(response)
        case .deleteRange(var response):
            response.revision = revision
            return .deleteRange(response)
        case .txn(let response):
            return .txn(response.settingRevision(revision))
        }
    }
}
