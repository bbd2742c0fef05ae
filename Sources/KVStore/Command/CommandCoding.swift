/// Field-by-field binary layout of commands and their requests. Tags are one byte; the
/// layout is fixed per `StoreProposal.formatVersion`.
enum CommandCoding {
    private enum Tag: UInt8 {
        case put = 1, deleteRange = 2, txn = 3, compact = 4, range = 5, leaseGrant = 6, leaseRevoke = 7
    }

    /// Nesting bound for transactions, so a hostile payload cannot exhaust the stack.
    static let maxTxnDepth = 8

    /// A command is written like the transaction operation of the same kind, plus `compact`.
    static func write(_ command: StoreCommand, to writer: inout ByteWriter) {
        switch command {
        case .put(let put): write(RequestOp.put(put), to: &writer)
        case .deleteRange(let delete): write(RequestOp.deleteRange(delete), to: &writer)
        case .txn(let txn): write(RequestOp.txn(txn), to: &writer)
        case .compact(let revision):
            writer.write(Tag.compact.rawValue)
            writer.writeVarint(revision)
        case .leaseGrant(let id, let ttl):
            writer.write(Tag.leaseGrant.rawValue)
            writer.writeVarint(id)
            writer.writeVarint(ttl)
        case .leaseRevoke(let id):
            writer.write(Tag.leaseRevoke.rawValue)
            writer.writeVarint(id)
        }
    }

    static func readCommand(from reader: inout ByteReader) throws(BinaryDecodingError) -> StoreCommand {
        let start = reader.offset
        switch Tag(rawValue: try reader.readByte()) {
        case .compact: return .compact(revision: try reader.readSignedVarint())
        case .leaseGrant: return .leaseGrant(id: try reader.readSignedVarint(), ttl: try reader.readSignedVarint())
        case .leaseRevoke: return .leaseRevoke(id: try reader.readSignedVarint())
        default: break
        }
        reader.rewind(to: start)
        switch try readOp(from: &reader, depth: 0) {
        case .put(let put): return .put(put)
        case .deleteRange(let delete): return .deleteRange(delete)
        case .txn(let txn): return .txn(txn)
        case .range: throw BinaryDecodingError(offset: start, reason: "a range is not a command")
        }
    }

    static func write(_ put: PutRequest, to writer: inout ByteWriter) {
        writer.writeLengthPrefixed(put.key)
        writer.writeLengthPrefixed(put.value)
        writer.write(put.prevKV)
        writer.writeVarint(put.lease)
    }

    static func readPut(from reader: inout ByteReader) throws(BinaryDecodingError) -> PutRequest {
        PutRequest(
            key: try reader.readLengthPrefixed(), value: try reader.readLengthPrefixed(),
            prevKV: try reader.readBool(), lease: try reader.readSignedVarint())
    }

    static func write(_ delete: DeleteRangeRequest, to writer: inout ByteWriter) {
        writer.writeLengthPrefixed(delete.key)
        writer.writeLengthPrefixed(delete.rangeEnd)
        writer.write(delete.prevKV)
    }

    static func readDelete(from reader: inout ByteReader) throws(BinaryDecodingError) -> DeleteRangeRequest {
        DeleteRangeRequest(
            key: try reader.readLengthPrefixed(), rangeEnd: try reader.readLengthPrefixed(),
            prevKV: try reader.readBool())
    }

    static func write(_ range: RangeRequest, to writer: inout ByteWriter) {
        writer.writeLengthPrefixed(range.key)
        writer.writeLengthPrefixed(range.rangeEnd)
        writer.writeVarint(range.limit)
        writer.writeVarint(range.revision)
        writer.write(range.countOnly)
        writer.write(range.keysOnly)
    }

    static func readRange(from reader: inout ByteReader) throws(BinaryDecodingError) -> RangeRequest {
        RangeRequest(
            key: try reader.readLengthPrefixed(), rangeEnd: try reader.readLengthPrefixed(),
            limit: try reader.readSignedVarint(), revision: try reader.readSignedVarint(),
            countOnly: try reader.readBool(), keysOnly: try reader.readBool())
    }

    static func write(_ txn: TxnRequest, to writer: inout ByteWriter) {
        writer.writeVarint(UInt64(txn.compare.count))
        for compare in txn.compare {
            writer.writeLengthPrefixed(compare.key)
            writer.writeLengthPrefixed(compare.rangeEnd)
            writer.write(compare.target.rawValue)
            writer.write(compare.result.rawValue)
            writer.writeLengthPrefixed(compare.value)
            writer.writeVarint(compare.operand)
        }
        for branch in [txn.success, txn.failure] {
            writer.writeVarint(UInt64(branch.count))
            for op in branch { write(op, to: &writer) }
        }
    }

    static func readTxn(from reader: inout ByteReader, depth: Int) throws(BinaryDecodingError) -> TxnRequest {
        guard depth < maxTxnDepth else { throw reader.failure("transactions nested deeper than \(maxTxnDepth)") }
        var txn = TxnRequest()
        let compareCount = try reader.readCount(minElementSize: 6)
        txn.compare.reserveCapacity(compareCount)
        for _ in 0..<compareCount {
            let key = try reader.readLengthPrefixed()
            let rangeEnd = try reader.readLengthPrefixed()
            let targetRaw = try reader.readByte()
            guard let target = Compare.Target(rawValue: targetRaw) else {
                throw reader.failure("unknown compare target \(targetRaw)")
            }
            let resultRaw = try reader.readByte()
            guard let result = Compare.Result(rawValue: resultRaw) else {
                throw reader.failure("unknown compare result \(resultRaw)")
            }
            txn.compare.append(Compare(
                key: key, rangeEnd: rangeEnd, target: target, result: result,
                value: try reader.readLengthPrefixed(), operand: try reader.readSignedVarint()))
        }
        txn.success = try readOps(from: &reader, depth: depth + 1)
        txn.failure = try readOps(from: &reader, depth: depth + 1)
        return txn
    }

    static func write(_ op: RequestOp, to writer: inout ByteWriter) {
        switch op {
        case .range(let range):
            writer.write(Tag.range.rawValue)
            write(range, to: &writer)
        case .put(let put):
            writer.write(Tag.put.rawValue)
            write(put, to: &writer)
        case .deleteRange(let delete):
            writer.write(Tag.deleteRange.rawValue)
            write(delete, to: &writer)
        case .txn(let txn):
            writer.write(Tag.txn.rawValue)
            write(txn, to: &writer)
        }
    }

    private static func readOps(from reader: inout ByteReader, depth: Int) throws(BinaryDecodingError) -> [RequestOp] {
        let count = try reader.readCount(minElementSize: 2)
        var ops: [RequestOp] = []
        ops.reserveCapacity(count)
        for _ in 0..<count { ops.append(try readOp(from: &reader, depth: depth)) }
        return ops
    }

    /// One tagged operation; `depth` is the nesting of the transaction holding it.
    private static func readOp(from reader: inout ByteReader, depth: Int) throws(BinaryDecodingError) -> RequestOp {
        let tagOffset = reader.offset
        let raw = try reader.readByte()
        switch Tag(rawValue: raw) {
        case .range: return .range(try readRange(from: &reader))
        case .put: return .put(try readPut(from: &reader))
        case .deleteRange: return .deleteRange(try readDelete(from: &reader))
        case .txn: return .txn(try readTxn(from: &reader, depth: depth))
        case .compact, .leaseGrant, .leaseRevoke, nil:
            throw BinaryDecodingError(offset: tagOffset, reason: "unknown operation tag \(raw)")
        }
    }
}
