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
    /// A jump forward in entry indexes not yet explained by a snapshot marker. Legitimate
    /// when a later marker covers it (segments before a snapshot were released); corruption
    /// if replay ends with it unexplained.
    private var unexplainedGap: (file: String, offset: Int, entry: UInt64, after: UInt64)?

    /// Call after the last segment: fails if entries are missing with no snapshot covering them.
    func finish() throws {
        guard let gap = unexplainedGap else { return }
        throw WALError.corrupt(
            file: gap.file, offset: gap.offset,
            reason: "entry \(gap.entry) leaves a gap after index \(gap.after) that no snapshot covers")
    }

    /// Replays one segment; returns where its data ends (the rest is zero padding from
    /// preallocation, or nothing).
    mutating func replay(segment path: String, isLast: Bool) throws -> Int {
        let file = try DataFile.open(path)
        defer { file.close() }
        let scanner = SegmentScanner(bytes: try file.readAll())
        var offset = 0
        var sawMetadata = false
        // Every segment but the last was synced whole before the next was started.
        func end(at offset: Int) throws -> Int {
            if !sawMetadata && !isLast {
                throw WALError.corrupt(file: path, offset: offset, reason: "segment holds no records, not even its header")
            }
            return offset
        }
        while offset < scanner.bytes.count {
            switch scanner.frame(at: offset) {
            case .invalid(let reason):
                let nonZeroEnd = scanner.endOfNonZero()
                if nonZeroEnd <= offset {
                    return try end(at: offset)  // only preallocated zeros follow: the clean end of the data
                }
                if isLast, scanner.firstValidRecord(after: offset) == nil {
                    // Nothing valid follows: an incomplete final write. Cut it off.
                    tornTail = RecoveryReport.TornTail(
                        file: path, offset: offset, droppedBytes: nonZeroEnd - offset, reason: reason)
                    try file.truncate(to: offset)
                    try file.dataSync()
                    return offset
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
                apply(record, file: path, offset: offset)
                recordCount += 1
                offset = next
            }
        }
        return try end(at: offset)
    }

    /// Folds one record into the state.
    private mutating func apply(_ record: WALRecord, file: String, offset: Int) {
        switch record {
        case .metadata:
            break
        case .hardState(let state):
            hardState = state
        case .snapshotMarker(let newMarker):
            marker = newMarker
            if let gap = unexplainedGap, newMarker.index + 1 >= gap.entry { unexplainedGap = nil }
            // A snapshot beyond the log's end (or disagreeing with the log's term at its index)
            // replaces the log: entries restart right after it, as in
            // `DiskRaftStorage.applySnapshot`. One below the log's start leaves it alone.
            guard let first = entries.first, newMarker.index >= first.index else { break }
            let last = first.index + UInt64(entries.count) - 1
            if newMarker.index > last || entries[Int(newMarker.index - first.index)].term != newMarker.term {
                entries = []
            }
        case .entry(let entry):
            let next = entries.first.map { $0.index + UInt64(entries.count) } ?? (marker.map { $0.index + 1 } ?? entry.index)
            if entries.isEmpty && entry.index <= next {
                entries = [entry]
            } else if entry.index == next {
                entries.append(entry)
            } else if entry.index < next, let first = entries.first {
                // A later append overwrote the log from here (conflict truncation).
                if entry.index <= first.index {
                    entries = [entry]
                } else {
                    entries.removeSubrange(Int(entry.index - first.index)...)
                    entries.append(entry)
                }
            } else {
                if unexplainedGap == nil {
                    unexplainedGap = (file, offset, entry.index, next - 1)
                }
                entries = [entry]
            }
        }
    }
}
