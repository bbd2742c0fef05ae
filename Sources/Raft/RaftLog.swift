/// The log as Raft sees it: the persisted part in `storage` followed by the `unstable` part the
/// application has yet to persist, plus the commit and apply cursors.
///
/// Storage errors other than `compacted`/`unavailable` (which are normal answers) mean the
/// storage broke its contract; Raft cannot continue safely, so they stop the process.
final class RaftLog {
    let storage: RaftStorage
    var unstable: Unstable
    /// Highest index known to be stored on a quorum.
    var committed: UInt64
    /// Highest index the application has applied.
    var applied: UInt64
    let maxNextCommittedSize: UInt64

    init(storage: RaftStorage, maxNextCommittedSize: UInt64) throws {
        self.storage = storage
        let first = try storage.firstIndex()
        let last = try storage.lastIndex()
        unstable = Unstable(offset: last + 1)
        committed = first - 1
        applied = first - 1
        self.maxNextCommittedSize = maxNextCommittedSize
    }

    func firstIndex() -> UInt64 {
        if let i = unstable.maybeFirstIndex() { return i }
        return storageCall { try storage.firstIndex() }
    }

    func lastIndex() -> UInt64 {
        if let i = unstable.maybeLastIndex() { return i }
        return storageCall { try storage.lastIndex() }
    }

    func lastTerm() -> UInt64 {
        (try? term(lastIndex())) ?? 0
    }

    /// The term of entry `i`; throws `.compacted`/`.unavailable` outside the known range.
    func term(_ i: UInt64) throws(RaftStorageError) -> UInt64 {
        let dummy = firstIndex() - 1
        if i < dummy { throw .compacted }
        if i > lastIndex() { throw .unavailable }
        if let t = unstable.maybeTerm(i) { return t }
        do {
            return try storage.term(of: i)
        } catch let e as RaftStorageError where e == .compacted || e == .unavailable {
            throw e
        } catch {
            preconditionFailure("raft: storage failed reading the term of \(i): \(error)")
        }
    }

    func matchTerm(_ i: UInt64, _ t: UInt64) -> Bool {
        guard let ours = try? term(i) else { return false }
        return ours == t
    }

    /// Raft §5.4.1: a log is at least as up to date if its last term is higher, or equal with
    /// an index at least as high.
    func isUpToDate(lastIndex candidateIndex: UInt64, term candidateTerm: UInt64) -> Bool {
        let ourTerm = lastTerm()
        return candidateTerm > ourTerm || (candidateTerm == ourTerm && candidateIndex >= lastIndex())
    }

    /// Appends leader entries after (`index`, `logTerm`) if our log matches there (§5.3).
    /// Returns the index of the last new entry, or nil when the logs do not match.
    func maybeAppend(index: UInt64, logTerm: UInt64, committed leaderCommit: UInt64, entries: [Entry]) -> UInt64? {
        guard matchTerm(index, logTerm) else { return nil }
        let lastNew = index + UInt64(entries.count)
        let conflict = findConflict(entries)
        if conflict != 0 {
            precondition(conflict > committed, "raft: entry \(conflict) conflicts with committed entry (committed \(committed))")
            let start = Int(conflict - (index + 1))
            _ = append(entries[start...])
        }
        commitTo(min(leaderCommit, lastNew))
        return lastNew
    }

    /// Appends entries (truncating any conflicting unstable suffix); returns the new last index.
    @discardableResult
    func append(_ entries: ArraySlice<Entry>) -> UInt64 {
        guard let first = entries.first else { return lastIndex() }
        precondition(first.index - 1 >= committed, "raft: appending after \(first.index - 1) is below committed \(committed)")
        unstable.truncateAndAppend(entries)
        return lastIndex()
    }

    /// The index of the first entry that is new or conflicts with ours, or 0 if all are present.
    func findConflict(_ entries: [Entry]) -> UInt64 {
        for e in entries where !matchTerm(e.index, e.term) {
            return e.index
        }
        return 0
    }

    /// Fast log repair: the largest index ≤ `index` whose term is ≤ `term`, with that term.
    /// Everything above it cannot match a log whose entry at `index` has term `term`.
    func findConflictByTerm(index: UInt64, term t: UInt64) -> (index: UInt64, term: UInt64) {
        var i = index
        while i > 0 {
            guard let ours = try? term(i) else { return (i, 0) }
            if ours <= t { return (i, ours) }
            i -= 1
        }
        return (0, 0)
    }

    func commitTo(_ index: UInt64) {
        if committed < index {
            precondition(lastIndex() >= index, "raft: commit \(index) is beyond the last index \(lastIndex()); the log is corrupt, truncated or lost")
            committed = index
        }
    }

    /// Advances the commit index to `index` only if that entry is from `term` (§5.4.2).
    func maybeCommit(index: UInt64, term t: UInt64) -> Bool {
        if index > committed, (try? term(index)) == t {
            commitTo(index)
            return true
        }
        return false
    }

    func appliedTo(_ index: UInt64) {
        if index == 0 { return }
        precondition(committed >= index && index >= applied, "raft: applied \(index) outside [\(applied), \(committed)]")
        applied = index
    }

    func stableTo(index: UInt64, term: UInt64) { unstable.stableTo(index: index, term: term) }
    func stableSnapTo(_ index: UInt64) { unstable.stableSnapTo(index) }

    func unstableEntries() -> [Entry] { unstable.entries }

    func hasNextCommittedEntries() -> Bool {
        if unstable.snapshot != nil { return false }
        return committed + 1 > max(applied + 1, firstIndex())
    }

    func nextCommittedEntries() -> [Entry] {
        if unstable.snapshot != nil { return [] }
        let lo = max(applied + 1, firstIndex())
        if committed + 1 <= lo { return [] }
        return (try? slice(lo, committed + 1, maxBytes: maxNextCommittedSize)) ?? []
    }

    /// Entries from `lo` to the end, at most `maxBytes` (but at least one).
    func entries(from lo: UInt64, maxBytes: UInt64) throws(RaftStorageError) -> [Entry] {
        let last = lastIndex()
        if lo > last { return [] }
        return try slice(lo, last + 1, maxBytes: maxBytes)
    }

    /// Entries `[lo, hi)` from storage and/or the unstable part.
    func slice(_ lo: UInt64, _ hi: UInt64, maxBytes: UInt64) throws(RaftStorageError) -> [Entry] {
        if lo >= hi { return [] }
        let first = firstIndex()
        if lo < first { throw .compacted }
        precondition(hi <= lastIndex() + 1, "raft: slice [\(lo), \(hi)) beyond last index \(lastIndex())")
        var result: [Entry] = []
        let offset = unstable.offset
        if lo < offset {
            let storedHi = min(hi, offset)
            do {
                result = try storage.entries(from: lo, to: storedHi, maxBytes: maxBytes)
            } catch let e as RaftStorageError where e == .compacted {
                throw e
            } catch {
                preconditionFailure("raft: storage failed reading entries [\(lo), \(storedHi)): \(error)")
            }
            if UInt64(result.count) < storedHi - lo { return result }  // size limit reached
        }
        if hi > offset {
            let part = unstable.slice(max(lo, offset), hi)
            if result.isEmpty {
                return limitSize(part, maxBytes: maxBytes)
            }
            var size: UInt64 = 0
            for e in result { size += e.byteSize }
            for e in part {
                size += e.byteSize
                if size > maxBytes { break }
                result.append(e)
            }
        }
        return result
    }

    func snapshot() throws(RaftStorageError) -> Snapshot {
        if let s = unstable.snapshot { return s }
        do {
            return try storage.snapshot()
        } catch let e as RaftStorageError {
            throw e
        } catch {
            throw .snapshotTemporarilyUnavailable
        }
    }

    /// Replaces the log with a snapshot received from the leader.
    func restore(_ s: Snapshot) {
        committed = s.metadata.index
        unstable.restore(s)
    }

    private func storageCall(_ body: () throws -> UInt64) -> UInt64 {
        do {
            return try body()
        } catch {
            preconditionFailure("raft: storage failed: \(error)")
        }
    }
}
