import Foundation
import Raft
import Testing
@testable import KVStore

@Suite("DiskRaftStorage")
struct DiskRaftStorageTests {
    /// Everything Raft can observe through `RaftStorage`, including which calls throw.
    func observe(_ storage: any RaftStorage) throws -> [String] {
        var seen: [String] = []
        let first = try storage.firstIndex(), last = try storage.lastIndex()
        seen.append("first=\(first) last=\(last)")
        let (hardState, confState) = try storage.initialState()
        seen.append("hs=\(hardState) cs=\(confState)")
        seen.append("snap=\(try storage.snapshot().metadata)")
        for index in (first > 2 ? first - 2 : 0)...(last + 2) {
            do { seen.append("term(\(index))=\(try storage.term(of: index))") } catch { seen.append("term(\(index)) \(error)") }
        }
        for lo in [first - 1, first, (first + last) / 2] {
            for hi in [lo, last + 1, last + 2] where lo > 0 {
                for maxBytes in [UInt64(0), 100, .max] {
                    do {
                        seen.append("entries(\(lo),\(hi),\(maxBytes))=\(try storage.entries(from: lo, to: hi, maxBytes: maxBytes))")
                    } catch {
                        seen.append("entries(\(lo),\(hi),\(maxBytes)) \(error)")
                    }
                }
            }
        }
        return seen
    }

    func firstDifference(_ a: [String], _ b: [String]) -> String {
        for (x, y) in zip(a, b) where x != y { return "disk: \(x) / memory: \(y)" }
        return "lengths \(a.count) vs \(b.count)"
    }

    @Test("behaves exactly like MemoryStorage under random appends, conflicts, snapshots and compaction, and after reopening")
    func conformance() throws {
        for seed in UInt64(1)...4 {
            let dir = try TemporaryDirectory()
            defer { dir.remove() }
            let options = WAL.Options(segmentSize: 8192)  // preallocated, small: many cuts
            let memory = MemoryStorage()
            var disk = try DiskRaftStorage(directory: dir.path, walOptions: options)
            var generator = SplitMix64(seed: seed)
            var term: UInt64 = 1
            // Like Raft: entries at or below `commit` are never overwritten, and snapshots are
            // only taken of committed (applied) state.
            var commit: UInt64 = 0
            for step in 0..<250 {
                let last = try memory.lastIndex(), first = try memory.firstIndex()
                switch generator.next() % 10 {
                case 0...5:  // append, sometimes overwriting an uncommitted suffix with a newer term
                    var start = last + 1
                    let lowest = max(first, commit + 1)
                    if generator.next() % 3 == 0 && last >= lowest {
                        start = lowest + generator.next() % (last - lowest + 1)
                        term += 1
                    }
                    let count = 1 + generator.next() % 5
                    let batch = (start..<(start + count)).map {
                        Entry(term: term, index: $0, data: Array(repeating: UInt8(step % 256), count: Int(generator.next() % 60)))
                    }
                    try memory.append(batch)
                    commit = max(commit, start - 1)
                    let hardState = HardState(term: term, vote: 1, commit: commit)
                    memory.setHardState(hardState)
                    try disk.save(hardState: hardState, entries: batch)
                    try disk.sync()
                case 6, 7:  // local snapshot of committed state + compaction
                    guard commit > first else { continue }
                    let index = first + generator.next() % (commit - first)
                    let data = Array("state@\(index)".utf8)
                    try memory.createSnapshot(index: index, confState: ConfState(voters: [1, 2, 3]), data: data)
                    try memory.compact(to: index)
                    try disk.createSnapshot(index: index, confState: ConfState(voters: [1, 2, 3]), data: data)
                    try disk.compact(to: index)
                case 8:  // snapshot from the leader, ahead of our log
                    let index = last + 1 + generator.next() % 20
                    term += 1
                    let snapshot = Snapshot(
                        metadata: SnapshotMetadata(index: index, term: term, confState: ConfState(voters: [1, 2])),
                        data: Array("leader@\(index)".utf8))
                    try memory.applySnapshot(snapshot)
                    commit = index
                    let hardState = HardState(term: term, vote: 2, commit: index)
                    memory.setHardState(hardState)
                    try disk.applySnapshot(snapshot)
                    try disk.setHardState(hardState)
                    try disk.sync()
                default:  // crash-free restart: reopen from disk
                    disk = try DiskRaftStorage(directory: dir.path, walOptions: options)
                }
                let (seenDisk, seenMemory) = (try observe(disk), try observe(memory))
                #expect(seenDisk == seenMemory, "seed \(seed) step \(step): \(firstDifference(seenDisk, seenMemory))")
            }
            let reopened = try DiskRaftStorage(directory: dir.path, walOptions: options)
            #expect(try observe(reopened) == observe(memory), "seed \(seed) after reopen")
        }
    }

    @Test("a snapshot file newer than the WAL's entries with a gap is reported, not papered over")
    func gapIsAnError() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        do {
            let storage = try DiskRaftStorage(directory: dir.path, walOptions: WAL.Options(segmentSize: 1 << 20))
            try storage.save(hardState: HardState(term: 1, commit: 1), entries: (1...5).map { Entry(term: 1, index: $0) })
            try storage.sync()
        }
        // A snapshot at 2 whose successor entries (3...) are present: fine.
        let files = try SnapshotFiles(directory: dir.path + "/snap")
        try files.save(Snapshot(metadata: SnapshotMetadata(index: 2, term: 1), data: []))
        let storage = try DiskRaftStorage(directory: dir.path, walOptions: WAL.Options(segmentSize: 1 << 20))
        #expect(try storage.firstIndex() == 3 && storage.lastIndex() == 5)
        #expect(try storage.initialState().0.commit == 2)
    }

    @Test("only synced writes survive a crash; the recovery report says what was replayed")
    func crashLosesOnlyUnsynced() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        do {
            let storage = try DiskRaftStorage(directory: dir.path, walOptions: WAL.Options(segmentSize: 1 << 20))
            try storage.save(hardState: HardState(term: 1, vote: 1, commit: 2), entries: (1...3).map { Entry(term: 1, index: $0) }, sync: true)
            // Saved but never synced: a crash now loses it (the object is dropped without sync).
            try storage.save(hardState: HardState(term: 1, vote: 1, commit: 3), entries: [Entry(term: 1, index: 4)], sync: false)
        }
        let storage = try DiskRaftStorage(directory: dir.path, walOptions: WAL.Options(segmentSize: 1 << 20))
        #expect(try storage.lastIndex() == 3)
        #expect(try storage.initialState().0 == HardState(term: 1, vote: 1, commit: 2))
        #expect("\(storage.recovery)".contains("3 entries (1...3)"))
    }
}
