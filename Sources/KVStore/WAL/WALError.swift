import Raft

/// Why a WAL could not be opened or written. Corruption names the file and byte offset:
/// startup stops rather than replaying anything it cannot vouch for.
public enum WALError: Error, CustomStringConvertible, Sendable {
    /// Bad data before the end of the log (not a torn tail): refuse to start.
    case corrupt(file: String, offset: Int, reason: String)
    /// The segments do not form one sequence (a segment is missing).
    case missingSegment(after: String, expectedSequence: UInt64)
    /// The WAL belongs to another member or cluster.
    case metadataMismatch(expected: WALMetadata, found: WALMetadata)
    /// A record to be written is larger than `WALRecord.maxPayload`.
    case recordTooLarge(Int)
    case io(FileIOError)

    public var description: String {
        switch self {
        case .corrupt(let file, let offset, let reason):
            "WAL corrupt: \(file) at byte \(offset): \(reason); refusing to replay it"
        case .missingSegment(let after, let expected):
            "WAL segment with sequence \(expected) missing after \(after)"
        case .metadataMismatch(let expected, let found):
            "WAL belongs to node \(found.nodeID) of cluster \(found.clusterID), not node \(expected.nodeID) of cluster \(expected.clusterID)"
        case .recordTooLarge(let size): "WAL record of \(size) bytes exceeds the limit"
        case .io(let error): "WAL I/O failed: \(error)"
        }
    }
}

/// What recovery found: the log state to resume from, and anything it repaired.
public struct RecoveryReport: Sendable {
    /// A torn tail: an incomplete last write, cut off at `offset` of `file`.
    public struct TornTail: Sendable, Equatable {
        public var file: String
        public var offset: Int
        public var droppedBytes: Int
        public var reason: String
    }

    public var metadata: WALMetadata
    /// The newest hard state recorded (empty for a new WAL).
    public var hardState: HardState
    /// The log after replay, conflicts resolved: contiguous, ascending indexes.
    public var entries: [Entry]
    /// The newest snapshot marker recorded, if any.
    public var snapshotMarker: SnapshotMarker?
    /// Segment file names replayed, in order.
    public var segments: [String]
    public var recordCount: Int
    /// Set when the end of the last segment was torn and has been truncated away.
    public var tornTail: TornTail?
}

extension RecoveryReport: CustomStringConvertible {
    /// One line for the startup log.
    public var description: String {
        var line = "replayed \(recordCount) records from \(segments.count) WAL segment(s): \(entries.count) entries"
        if let first = entries.first, let last = entries.last { line += " (\(first.index)...\(last.index))" }
        line += ", term \(hardState.term), commit \(hardState.commit)"
        if let marker = snapshotMarker { line += ", snapshot at \(marker.index)" }
        if let torn = tornTail {
            line += "; torn tail truncated: \(torn.droppedBytes) bytes at byte \(torn.offset) of \(torn.file) (\(torn.reason))"
        }
        return line
    }
}

