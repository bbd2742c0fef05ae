import Foundation
import Raft
import Testing
@testable import KVStore

@Suite("Snapshot files")
struct SnapshotFilesTests {
    func snapshot(_ index: UInt64, term: UInt64 = 2) -> Snapshot {
        Snapshot(
            metadata: SnapshotMetadata(index: index, term: term, confState: ConfState(voters: [1, 2, 3], learners: [9])),
            data: Array(repeating: UInt8(truncatingIfNeeded: index), count: 1000))
    }

    @Test("save then loadNewest returns the newest; older ones beyond `retain` are pruned")
    func saveLoadPrune() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let files = try SnapshotFiles(directory: dir.path, retain: 2)
        #expect(try files.loadNewest() == nil)
        for index in [UInt64(10), 20, 30] { try files.save(snapshot(index)) }
        #expect(try files.loadNewest() == snapshot(30))
        #expect(try files.fileNames() == [SnapshotFiles.fileName(index: 30, term: 2), SnapshotFiles.fileName(index: 20, term: 2)])
    }

    @Test("a partial temp file from an interrupted save is ignored and removed")
    func partialTempFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try SnapshotFiles(directory: dir.path).save(snapshot(10))
        let tmp = dir.path + "/" + SnapshotFiles.fileName(index: 99, term: 3) + ".tmp"
        try Data(SnapshotFileFormat.encode(snapshot(99, term: 3)).prefix(100)).write(to: URL(fileURLWithPath: tmp))
        let files = try SnapshotFiles(directory: dir.path)
        #expect(try files.loadNewest() == snapshot(10))
        #expect(!FileManager.default.fileExists(atPath: tmp))
    }

    @Test("a corrupted newest file fails its checksum, is set aside, and the older one loads")
    func corruptNewest() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let files = try SnapshotFiles(directory: dir.path)
        try files.save(snapshot(10))
        try files.save(snapshot(20))
        let newest = dir.path + "/" + SnapshotFiles.fileName(index: 20, term: 2)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: newest)))
        bytes[500] ^= 0x10
        try Data(bytes).write(to: URL(fileURLWithPath: newest))
        #expect(throws: SnapshotFileError.self) { try SnapshotFileFormat.decode(bytes) }
        #expect(try files.loadNewest() == snapshot(10))
        #expect(FileManager.default.fileExists(atPath: newest + ".broken"))
    }
}
