/// A write to the keyspace, as carried in a Raft log entry. Every member applies the same
/// commands in the same order through `MVCCStore.apply(_:)` and so reaches the same state.
public enum StoreCommand: Sendable, Equatable {
    case put(PutRequest)
    case deleteRange(DeleteRangeRequest)
    case txn(TxnRequest)
    /// Drop history below `revision` (see `MVCCStore`).
    case compact(revision: Int64)
    /// Grant lease `id` (chosen by the proposer, positive) with `ttl` seconds.
    case leaseGrant(id: Int64, ttl: Int64)
    /// Revoke lease `id`, deleting every key attached to it at one revision (also how a
    /// lease expires: the leader proposes the revoke).
    case leaseRevoke(id: Int64)
}

/// What applying a `StoreCommand` produced; handed back to the proposer that waits on it.
public enum StoreResult: Sendable, Equatable {
    case put(PutResponse)
    case deleteRange(DeleteRangeResponse)
    case txn(TxnResponse)
    /// The compaction took effect; the store's current revision.
    case compact(revision: Int64)
    case leaseGrant(id: Int64, ttl: Int64, revision: Int64)
    case leaseRevoke(revision: Int64)
    /// The command was refused; the keyspace did not change.
    case failed(StoreError)
}

/// A command plus the proposer-chosen id that lets the proposer match the applied result to
/// its waiting request (the id means nothing to the store). This is the Raft entry payload.
public struct StoreProposal: Sendable, Equatable {
    public var requestID: UInt64
    public var command: StoreCommand

    public init(requestID: UInt64, command: StoreCommand) {
        self.requestID = requestID
        self.command = command
    }

    /// Format version, first byte of every encoded proposal. Bump it on any layout change and
    /// keep decoding the old one: entries in the WAL outlive the binary that wrote them.
    static let formatVersion: UInt8 = 1

    /// The proposal's bytes: version byte, request id (fixed 8 bytes LE), command.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter(reservingCapacity: 32)
        writer.write(Self.formatVersion)
        writer.writeFixed64(requestID)
        CommandCoding.write(command, to: &writer)
        return writer.bytes
    }

    /// Decodes `encoded()` output; throws `StoreError.corrupt` naming the offset otherwise.
    public init(decoding bytes: [UInt8]) throws(StoreError) {
        var reader = ByteReader(bytes)
        do {
            let version = try reader.readByte()
            guard version == Self.formatVersion else {
                throw reader.failure("unsupported store command format version \(version)")
            }
            requestID = try reader.readFixed64()
            command = try CommandCoding.readCommand(from: &reader)
            guard reader.isAtEnd else { throw reader.failure("\(reader.remaining) trailing bytes") }
        } catch {
            throw .corrupt("store command: \(error)")
        }
    }
}

extension StoreCommand {
    /// Shorthand for `StoreProposal(requestID:command:).encoded()`.
    public func encoded(requestID: UInt64) -> [UInt8] {
        StoreProposal(requestID: requestID, command: self).encoded()
    }

    /// Shorthand for `StoreProposal(decoding:)`.
    public static func decode(_ bytes: [UInt8]) throws(StoreError) -> (requestID: UInt64, command: StoreCommand) {
        let proposal = try StoreProposal(decoding: bytes)
        return (proposal.requestID, proposal.command)
    }
}

extension StoreResult {
    /// The store revision the result reports (the compaction's current revision for
    /// `.compact`, nil for a failure).
    public var revision: Int64? {
        switch self {
        case .put(let response): response.revision
        case .deleteRange(let response): response.revision
        case .txn(let response): response.revision
        case .compact(let revision): revision
        case .leaseGrant(_, _, let revision): revision
        case .leaseRevoke(let revision): revision
        case .failed: nil
        }
    }
}
