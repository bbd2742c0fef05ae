import Foundation
import Raft
import Testing
@testable import KVStore

@Suite("Write-ahead log")
struct WALTests {
    func entries(_ range: ClosedRange<UInt64>, term: UInt64 = 1, size: Int = 16) -> [Entry] {
        range.map { Entry(term: term, index: $0, data: Array(repeating: UInt8(truncatingIfNeeded: $0), count: size)) }
    }

    func segmentPath(_ wal: WAL, _ position: Int) -> String {
        wal.directory + "/" + wal.segmentFiles[position]
    }

    @Test("what was synced reads back after reopening: entries, hard state, marker, metadata")
    func roundTrip() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let metadata = WALMetadata(nodeID: 3, clusterID: 0xC0FFEE)
        do {
            let (wal, report) = try WAL.open(directory: dir.path, metadata: metadata)
            #expect(report.entries.isEmpty && report.tornTail == nil)
            try wal.save(hardState: HardState(term: 1, vote: 3, commit: 0), entries: entries(1...5))
            try wal.saveSnapshotMarker(index: 2, term: 1)
            try wal.save(hardState: HardState(term: 2, vote: 3, commit: 4), entries: [])
            try wal.close()
        }
        let (_, report) = try WAL.open(directory: dir.path, metadata: metadata)
        #expect(report.metadata == metadata)
        #expect(report.entries == entries(1...5))
        #expect(report.hardState == HardState(term: 2, vote: 3, commit: 4))
        #expect(report.snapshotMarker == SnapshotMarker(index: 2, term: 1))
        #expect(report.tornTail == nil)
        #expect(throws: WALError.self) { try WAL.open(directory: dir.path, metadata: WALMetadata(nodeID: 4, clusterID: 1)) }
    }

    @Test("group commit: many saves, one fdatasync")
    func groupCommit() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let (wal, _) = try WAL.open(directory: dir.path)
        for i in UInt64(1)...200 {
            try wal.save(hardState: HardState(term: 1, commit: i - 1), entries: entries(i...i))
        }
        #expect(wal.syncCount == 0)
        try wal.sync()
        #expect(wal.syncCount == 1)
        let (_, report) = try WAL.open(directory: dir.path)
        #expect(report.entries.count == 200)
        #expect(report.hardState.commit == 199)
    }

    @Test("a torn tail (file cut mid-record) is truncated and reported; the WAL keeps working")
    func tornTail() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path: String
        let sizeBeforeLast: Int
        do {
            let (wal, _) = try WAL.open(directory: dir.path, options: WAL.Options(preallocate: false))
            try wal.save(hardState: nil, entries: entries(1...9))
            try wal.sync()
            path = segmentPath(wal, 0)
            sizeBeforeLast = wal.activeDataEnd
            try wal.save(hardState: nil, entries: entries(10...10, size: 100))
            try wal.close()
        }
        // Cut the last record in half, as a crash mid-write would.
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.truncate(atOffset: UInt64(sizeBeforeLast + 50))
        try handle.close()

        let (wal, report) = try WAL.open(directory: dir.path, options: WAL.Options(preallocate: false))
        let torn = try #require(report.tornTail)
        #expect(torn.offset == sizeBeforeLast && torn.droppedBytes == 50 && torn.file == path)
        #expect(report.entries == entries(1...9))
        // Appending continues cleanly after the truncation point.
        try wal.save(hardState: nil, entries: entries(10...11))
        try wal.close()
        let (_, again) = try WAL.open(directory: dir.path, options: WAL.Options(preallocate: false))
        #expect(again.tornTail == nil && again.entries == entries(1...11))
    }

    @Test("in a preallocated segment, a record half-written into the zero padding is a torn tail; clean padding is not")
    func tornTailPreallocated() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let options = WAL.Options(segmentSize: 1 << 20, preallocate: true)
        let path: String
        let sizeBeforeLast: Int
        let dataEnd: Int
        do {
            let (wal, _) = try WAL.open(directory: dir.path, options: options)
            try wal.save(hardState: nil, entries: entries(1...9))
            try wal.sync()
            path = segmentPath(wal, 0)
            sizeBeforeLast = wal.activeDataEnd
            try wal.save(hardState: nil, entries: entries(10...10, size: 100))
            try wal.sync()
            dataEnd = wal.activeDataEnd
            try wal.close()
        }
        #expect(try #require(FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) == 1 << 20)
        do {
            // Clean padding after the data: nothing to report.
            let (_, report) = try WAL.open(directory: dir.path, options: options)
            #expect(report.tornTail == nil)
            #expect(report.entries.map(\.index) == Array(1...10))
        }
        // Only the first 50 bytes of the last record reached the disk; the rest is padding.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        for i in (sizeBeforeLast + 50)..<dataEnd { bytes[i] = 0 }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let (wal, report) = try WAL.open(directory: dir.path, options: options)
        let torn = try #require(report.tornTail)
        #expect(torn.offset == sizeBeforeLast && torn.droppedBytes == 50)
        #expect(report.entries == entries(1...9))
        try wal.save(hardState: nil, entries: entries(10...11))
        try wal.close()
        let (_, again) = try WAL.open(directory: dir.path, options: options)
        #expect(again.tornTail == nil && again.entries == entries(1...11))
    }

    @Test("a torn header (a few bytes of a new record) is a torn tail too")
    func tornHeader() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let path: String
        do {
            let (wal, _) = try WAL.open(directory: dir.path, options: WAL.Options(preallocate: false))
            try wal.save(hardState: nil, entries: entries(1...3))
            try wal.close()
            path = segmentPath(wal, 0)
        }
        let handle = try #require(FileHandle(forUpdatingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0x20, 0x01, 0x02]))
        try handle.close()
        let (_, report) = try WAL.open(directory: dir.path, options: WAL.Options(preallocate: false))
        #expect(report.tornTail?.droppedBytes == 3)
        #expect(report.entries == entries(1...3))
    }

    @Test("a flipped byte in the middle is refused with an error naming the file and offset", arguments: [false, true])
    func corruptionInTheMiddle(preallocate: Bool) throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let options = WAL.Options(segmentSize: 1 << 20, preallocate: preallocate)
        let path: String
        var recordStart = 0
        do {
            let (wal, _) = try WAL.open(directory: dir.path, options: options)
            try wal.save(hardState: nil, entries: entries(1...4))
            try wal.sync()
            path = segmentPath(wal, 0)
            recordStart = wal.activeDataEnd
            try wal.save(hardState: nil, entries: entries(5...20))
            try wal.close()
        }
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[recordStart + 12] ^= 0x01  // inside entry 5's payload; entries 6... follow intact
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let error = try #require(throws: WALError.self) { try WAL.open(directory: dir.path, options: options) }
        let message = "\(error)"
        #expect(message.contains(path) && message.contains("at byte \(recordStart):"), "\(message)")
        #expect(message.contains("checksum mismatch"), "\(message)")
        // Nothing was truncated: the file is exactly as it was.
        #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: path))) == bytes)
    }

    @Test("replay honours conflict truncation: a later lower-index append replaces the suffix")
    func conflictTruncation() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        do {
            let (wal, _) = try WAL.open(directory: dir.path, options: WAL.Options(segmentSize: 1 << 20))
            try wal.save(hardState: nil, entries: entries(1...10, term: 1))
            try wal.save(hardState: nil, entries: entries(6...8, term: 2))
            try wal.save(hardState: nil, entries: entries(8...9, term: 3))
            try wal.close()
        }
        let (_, report) = try WAL.open(directory: dir.path, options: WAL.Options(segmentSize: 1 << 20))
        #expect(report.entries == entries(1...5, term: 1) + entries(6...7, term: 2) + entries(8...9, term: 3))
    }

    @Test("segments are cut at the size limit, replayed in order and released behind a snapshot")
    func segmentsAndRelease() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let options = WAL.Options(segmentSize: 4096)
        do {
            let (wal, _) = try WAL.open(directory: dir.path, options: options)
            for batch in 0..<40 {
                let first = UInt64(batch * 10 + 1)
                try wal.save(hardState: HardState(term: 1, commit: first - 1), entries: entries(first...(first + 9), size: 40))
                try wal.sync()
            }
            #expect(wal.segmentFiles.count > 4)
            try wal.saveSnapshotMarker(index: 250, term: 1)
            try wal.releaseBefore(index: 251)
            try wal.close()
        }
        let (wal, report) = try WAL.open(directory: dir.path, options: options)
        let first = try #require(report.entries.first?.index)
        #expect(first > 1 && first <= 251)
        #expect(report.entries.last?.index == 400)
        #expect(report.entries.map(\.index) == Array(first...400))
        #expect(report.hardState.commit == 390)
        #expect(report.snapshotMarker == SnapshotMarker(index: 250, term: 1))
        // Removing a middle segment is detected.
        try FileManager.default.removeItem(atPath: segmentPath(wal, 1))
        #expect(throws: WALError.self) { try WAL.open(directory: dir.path, options: options) }
    }

    @Test("a bad record at the end of a segment that is not the last is corruption, not a torn tail")
    func corruptionAtEndOfOlderSegment() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let options = WAL.Options(segmentSize: 4096)
        let path: String
        do {
            let (wal, _) = try WAL.open(directory: dir.path, options: options)
            for i in UInt64(1)...60 {
                try wal.save(hardState: nil, entries: entries(i...i, size: 200))
                try wal.sync()
            }
            #expect(wal.segmentFiles.count >= 2)
            path = segmentPath(wal, 0)
            try wal.close()
        }
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count - 3] ^= 0xff
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect {
            try WAL.open(directory: dir.path, options: options)
        } throws: { error in
            guard case WALError.corrupt(let file, _, _) = error else { return false }
            return file == path
        }
    }

    @Test("a new segment torn inside its header is truncated and its header rewritten")
    func tornNewSegment() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let options = WAL.Options(segmentSize: 4096)
        let metadata = WALMetadata(nodeID: 7, clusterID: 9)
        let lastSegment: String
        var written: UInt64 = 0
        do {
            let (wal, _) = try WAL.open(directory: dir.path, metadata: metadata, options: options)
            // Write until a sync cuts a new segment, which then holds only its header.
            var i: UInt64 = 0
            while wal.segmentFiles.count == 1 {
                i += 1
                try wal.save(hardState: HardState(term: 2, vote: 7, commit: i), entries: entries(i...i, size: 200))
                try wal.sync()
            }
            written = i
            lastSegment = segmentPath(wal, wal.segmentFiles.count - 1)
            try wal.close()
        }
        let handle = try #require(FileHandle(forUpdatingAtPath: lastSegment))
        try handle.truncate(atOffset: 5)
        try handle.close()
        let (wal, report) = try WAL.open(directory: dir.path, options: options)
        #expect(report.tornTail?.offset == 0)
        #expect(report.metadata == metadata)
        #expect(report.entries.last?.index == written)
        try wal.save(hardState: nil, entries: entries((written + 1)...(written + 1)))
        try wal.close()
        let (_, again) = try WAL.open(directory: dir.path, metadata: metadata, options: options)
        #expect(again.tornTail == nil)
        #expect(again.entries.map(\.index) == Array(1...(written + 1)))
        #expect(again.hardState == HardState(term: 2, vote: 7, commit: written))
    }
}
