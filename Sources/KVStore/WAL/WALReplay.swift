import Raft

/// Replays segments in order into the log state they describe, stopping with an error at
/// the first record it cannot vouch for — unless that record is a torn tail.
struct WALReplay {
    var metadata: WALMetadata?
    var hardState = HardState()
    var marker: SnapshotMarker?
    /// Contiguous ascending entries.
    var entries: [Entry] = []
    var recordCount = 0
    var tornTail: RecoveryReport.TornTail?

    mutating func replay(segment path: String, isLast: Bool) throws {
        let file = try DataFile.open(path)
        defer { file.close() }
        let scanner = SegmentScanner(bytes: try file.readAll())
        var offset = 0
        var sawMetadata = false
        while offset < scanner.bytes.count {
            switch scanner.frame(at: offset) {
            case .invalid(let reason):
                if isLast, scanner.firstValidRecord(after: offset) == nil {
                    // Nothing valid follows: an incomplete final write. Cut it off.
                    tornTail = RecoveryReport.TornTail(
                        file: path, offset: offset, droppedBytes: scanner.bytes.count - offset, reason: reason)
                    try file.truncate(to: offset)
                    try file.dataSync()
                    return
                }
                let follows = scanner.firstValidRecord(after: offset).map { "; a valid record follows at byte \($0)" }
                throw WALError.corrupt(file: path, offset: offset, reason: reason + (follows ?? ""))
            case .record(let kind, let payload, let next):
                let record: WALRecord
                do {
                    record = try WALRecord.decode(kind: kind, payload: Array(scanner.bytes[payload]))
                } catch {
                    throw WALError.corrupt(file: path, offset: offset, reason: "\(error)")
                }
                if !sawMetadata {
                    guard case .metadata(let found) = record else {
                        throw WALError.corrupt(file: path, offset: offset, reason: "segment does not start with a metadata record")
                    }
                    if let metadata, metadata != found {
                        throw WALError.corrupt(file: path, offset: offset, reason: "segment belongs to node \(found.nodeID) of cluster \(found.clusterID)")
                    }
                    metadata = found
                    sawMetadata = true
                }
                if let problem = apply(record) {
                    throw WALError.corrupt(file: path, offset: offset, reason: problem)
                }
                recordCount += 1
                offset = next
            }
        }
    }

    /// Folds one record into the state; returns a description of an impossible sequence.
    private mutating func apply(_ record: WALRecord) -> String? {
        switch record {
        case .metadata:
            return nil
        case .hardState(let state):
            hardState = state
            return nil
        case .snapshotMarker(let newMarker):
            marker = newMarker
            // A snapshot the log does not reach (or disagrees with) replaces the log: entries
            // restart right after it, as in `DiskRaftStorage.applySnapshot`.
            if let first = entries.first, newMarker.index >= first.index,
               newMarker.index <= first.index + UInt64(entries.count) - 1,
               entries[Int(newMarker.index - first.index)].term == newMarker.term {
                return nil
            }
            entries = []
            return nil
        case .entry(let entry):
            guard let first = entries.first else {
                if let marker, entry.index > marker.index + 1 {
                    return "entry \(entry.index) leaves a gap after snapshot index \(marker.index)"
                }
                entries = [entry]
                return nil
            }
            let next = first.index + UInt64(entries.count)
            if entry.index == next {
                entries.append(entry)
            } else if entry.index < next {
                // A later append overwrote the log from here (conflict truncation).
                if entry.index <= first.index {
                    entries = [entry]
                } else {
                    entries.removeSubrange(Int(entry.index - first.index)...)
                    entries.append(entry)
                }
            } else {
                return "entry \(entry.index) leaves a gap after entry \(next - 1)"
            }
            return nil
        }
    }
}
