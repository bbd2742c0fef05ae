/// Entries and a snapshot that this node has accepted but the application has not yet
/// persisted. `entries[i].index == offset + i`.
struct Unstable {
    var snapshot: Snapshot?
    var entries: [Entry] = []
    var offset: UInt64

    /// The first index if an unstable snapshot exists.
    func maybeFirstIndex() -> UInt64? {
        snapshot.map { $0.metadata.index + 1 }
    }

    func maybeLastIndex() -> UInt64? {
        if !entries.isEmpty { return offset + UInt64(entries.count) - 1 }
        return snapshot.map { $0.metadata.index }
    }

    func maybeTerm(_ i: UInt64) -> UInt64? {
        if i < offset {
            if let snapshot, snapshot.metadata.index == i { return snapshot.metadata.term }
            return nil
        }
        guard let last = maybeLastIndex(), i <= last else { return nil }
        if entries.isEmpty { return nil }
        return entries[Int(i - offset)].term
    }

    /// The application persisted entries up to `index` (with `term`): drop them from here,
    /// unless they were replaced by a conflicting append in the meantime.
    mutating func stableTo(index: UInt64, term: UInt64) {
        guard let t = maybeTerm(index), t == term, index >= offset else { return }
        let count = Int(index + 1 - offset)
        if count >= entries.count {
            entries.removeAll(keepingCapacity: true)
        } else {
            entries.removeFirst(count)
        }
        offset = index + 1
    }

    mutating func stableSnapTo(_ index: UInt64) {
        if let snapshot, snapshot.metadata.index == index { self.snapshot = nil }
    }

    mutating func restore(_ s: Snapshot) {
        offset = s.metadata.index + 1
        entries.removeAll()
        snapshot = s
    }

    mutating func truncateAndAppend(_ ents: ArraySlice<Entry>) {
        guard let after = ents.first?.index else { return }
        if after == offset + UInt64(entries.count) {
            entries.append(contentsOf: ents)
        } else if after <= offset {
            // Replace everything unstable: the new entries start at or before our first one.
            offset = after
            entries = Array(ents)
        } else {
            entries.removeSubrange(Int(after - offset)...)
            entries.append(contentsOf: ents)
        }
    }

    /// Entries `[lo, hi)`, all of which must be unstable.
    func slice(_ lo: UInt64, _ hi: UInt64) -> ArraySlice<Entry> {
        entries[Int(lo - offset)..<Int(hi - offset)]
    }
}
