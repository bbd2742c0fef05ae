/// One retained version of a key: a put, or a tombstone recording a delete.
struct KeyVersion: Equatable {
    var modRevision: Int64
    var createRevision: Int64
    var version: Int64
    var lease: Int64
    var value: [UInt8]
    var isTombstone: Bool

    func keyValue(key: [UInt8]) -> KeyValue {
        KeyValue(
            key: key, value: value, createRevision: createRevision, modRevision: modRevision,
            version: version, lease: lease)
    }
}

/// Every retained version of one key in ascending `modRevision`: what a read at a past
/// revision and a compaction walk. Compaction keeps the newest version at or below the
/// compacted revision (unless it is an older tombstone) and everything after it.
struct KeyHistory {
    var versions: [KeyVersion]

    /// The newest version, if the key currently exists.
    var live: KeyVersion? {
        guard let last = versions.last, !last.isTombstone else { return nil }
        return last
    }

    /// Index of the newest version with `modRevision <= revision`.
    func indexOfVersion(atOrBefore revision: Int64) -> Int? {
        var low = 0, high = versions.count
        while low < high {
            let mid = (low + high) / 2
            if versions[mid].modRevision <= revision { low = mid + 1 } else { high = mid }
        }
        return low == 0 ? nil : low - 1
    }

    /// The key as it existed at `revision`, nil if absent then.
    func version(at revision: Int64) -> KeyVersion? {
        guard let i = indexOfVersion(atOrBefore: revision), !versions[i].isTombstone else { return nil }
        return versions[i]
    }

    /// Drops versions no read at or after `revision` can see. Returns true if nothing is left.
    mutating func compact(to revision: Int64) -> Bool {
        guard let i = indexOfVersion(atOrBefore: revision) else { return versions.isEmpty }
        // A tombstone exactly at the compaction revision stays, so the event history from
        // `revision` on can be rebuilt from versions after a snapshot restore.
        let keepFrom = versions[i].isTombstone && versions[i].modRevision < revision ? i + 1 : i
        if keepFrom > 0 { versions.removeFirst(keepFrom) }
        return versions.isEmpty
    }
}
