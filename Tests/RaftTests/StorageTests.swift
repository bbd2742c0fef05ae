import Testing
import Raft

@Suite("MemoryStorage honours the storage contract")
struct StorageTests {
    private func filled() throws -> MemoryStorage {
        let s = MemoryStorage()
        try s.append((1...10).map { Entry(term: $0 < 6 ? 1 : 2, index: $0, data: [UInt8($0)]) })
        return s
    }

    @Test("entries and terms are served for [first, last] and errors name the compacted and unavailable ranges")
    func ranges() throws {
        let s = try filled()
        #expect(try s.firstIndex() == 1)
        #expect(try s.lastIndex() == 10)
        #expect(try s.entries(from: 3, to: 6, maxBytes: .max).map(\.index) == [3, 4, 5])
        #expect(try s.term(of: 0) == 0)
        #expect(try s.term(of: 7) == 2)
        #expect(throws: RaftStorageError.unavailable) { try s.term(of: 11) }
        #expect(throws: RaftStorageError.unavailable) { try s.entries(from: 5, to: 12, maxBytes: .max) }
        try s.compact(to: 4)
        #expect(try s.firstIndex() == 5)
        #expect(try s.term(of: 4) == 1, "the term of the entry before the first is kept")
        #expect(throws: RaftStorageError.compacted) { try s.term(of: 3) }
        #expect(throws: RaftStorageError.compacted) { try s.entries(from: 4, to: 6, maxBytes: .max) }
    }

    @Test("maxBytes limits a batch but at least one entry is returned")
    func sizeLimit() throws {
        let s = try filled()
        #expect(try s.entries(from: 1, to: 11, maxBytes: 0).count == 1)
        #expect(try s.entries(from: 1, to: 11, maxBytes: 50).count == 2)
    }

    @Test("append truncates a conflicting suffix and ignores entries covered by the snapshot")
    func appendTruncates() throws {
        let s = try filled()
        try s.append([Entry(term: 3, index: 8), Entry(term: 3, index: 9)])
        #expect(try s.lastIndex() == 9)
        #expect(try s.term(of: 8) == 3)
        try s.createSnapshot(index: 6, confState: ConfState(voters: [1]), data: [42])
        try s.compact(to: 6)
        try s.append([Entry(term: 2, index: 5), Entry(term: 2, index: 6), Entry(term: 3, index: 7)])
        #expect(try s.firstIndex() == 7)
        #expect(try s.lastIndex() == 7)
        #expect(throws: RaftStorageError.unavailable) { try s.append([Entry(term: 3, index: 20)]) }
    }

    @Test("snapshots: an older one is refused, a newer one replaces the log")
    func snapshots() throws {
        let s = try filled()
        let snap = try s.createSnapshot(index: 5, confState: ConfState(voters: [1, 2, 3]), data: [1, 2])
        #expect(snap.metadata.term == 1)
        #expect(throws: RaftStorageError.snapshotOutOfDate) {
            try s.applySnapshot(Snapshot(metadata: SnapshotMetadata(index: 4, term: 1)))
        }
        try s.applySnapshot(Snapshot(metadata: SnapshotMetadata(index: 20, term: 4, confState: ConfState(voters: [1]))))
        #expect(try s.firstIndex() == 21)
        #expect(try s.lastIndex() == 20)
        #expect(try s.initialState().1 == ConfState(voters: [1]))
    }
}
