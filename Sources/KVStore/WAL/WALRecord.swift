import Raft

/// Identity of the member that owns a WAL, written at the head of every segment so a data
/// directory cannot silently be replayed into the wrong member or cluster.
public struct WALMetadata: Sendable, Equatable {
    public var nodeID: UInt64
    public var clusterID: UInt64

    public init(nodeID: UInt64 = 0, clusterID: UInt64 = 0) {
        self.nodeID = nodeID
        self.clusterID = clusterID
    }
}

/// Where a snapshot sits in the log; a WAL record so replay knows where entries restart.
public struct SnapshotMarker: Sendable, Equatable {
    public var index: UInt64
    public var term: UInt64

    public init(index: UInt64, term: UInt64) {
        self.index = index
        self.term = term
    }
}

/// One WAL record. On disk:
///
///     length u32le (of payload) | crc32c u32le (of type byte + payload) | type u8 | payload
///
/// The checksum covers the type so a flipped type byte is caught; the length is checked
/// against the file and `maxPayload` before anything is allocated.
enum WALRecord: Equatable {
    case metadata(WALMetadata)
    case entry(Entry)
    case hardState(HardState)
    case snapshotMarker(SnapshotMarker)

    enum Kind: UInt8 {
        case metadata = 1, entry = 2, hardState = 3, snapshotMarker = 4
    }

    static let headerSize = 9
    /// Larger payloads are refused when written and treated as corruption when read.
    static let maxPayload = 256 << 20
    /// Version byte leading every metadata payload.
    static let formatVersion: UInt8 = 1

    var kind: Kind {
        switch self {
        case .metadata: .metadata
        case .entry: .entry
        case .hardState: .hardState
        case .snapshotMarker: .snapshotMarker
        }
    }

    /// Appends the framed record to `buffer`.
    func frame(into buffer: inout [UInt8]) {
        var payload = ByteWriter(reservingCapacity: 32)
        switch self {
        case .metadata(let metadata):
            payload.write(Self.formatVersion)
            payload.writeFixed64(metadata.nodeID)
            payload.writeFixed64(metadata.clusterID)
        case .entry(let entry):
            payload.writeVarint(entry.term)
            payload.writeVarint(entry.index)
            payload.write(entry.kind.rawValue)
            payload.writeLengthPrefixed(entry.data)
        case .hardState(let state):
            payload.writeVarint(state.term)
            payload.writeVarint(state.vote)
            payload.writeVarint(state.commit)
        case .snapshotMarker(let marker):
            payload.writeVarint(marker.index)
            payload.writeVarint(marker.term)
        }
        let body = payload.bytes
        let crc = CRC32C.checksum(body, continuing: withUnsafeBytes(of: kind.rawValue) { CRC32C.checksum($0) })
        withUnsafeBytes(of: UInt32(body.count).littleEndian) { buffer.append(contentsOf: $0) }
        withUnsafeBytes(of: crc.littleEndian) { buffer.append(contentsOf: $0) }
        buffer.append(kind.rawValue)
        buffer.append(contentsOf: body)
    }

    /// Decodes a payload whose frame and checksum were already verified.
    static func decode(kind: Kind, payload: [UInt8]) throws(BinaryDecodingError) -> WALRecord {
        var reader = ByteReader(payload)
        let record: WALRecord
        switch kind {
        case .metadata:
            let version = try reader.readByte()
            guard version == formatVersion else { throw reader.failure("unsupported WAL format version \(version)") }
            record = .metadata(WALMetadata(nodeID: try reader.readFixed64(), clusterID: try reader.readFixed64()))
        case .entry:
            let term = try reader.readVarint()
            let index = try reader.readVarint()
            let rawKind = try reader.readByte()
            guard let entryKind = Entry.Kind(rawValue: rawKind) else { throw reader.failure("unknown entry kind \(rawKind)") }
            record = .entry(Entry(term: term, index: index, kind: entryKind, data: try reader.readLengthPrefixed()))
        case .hardState:
            record = .hardState(HardState(term: try reader.readVarint(), vote: try reader.readVarint(), commit: try reader.readVarint()))
        case .snapshotMarker:
            record = .snapshotMarker(SnapshotMarker(index: try reader.readVarint(), term: try reader.readVarint()))
        }
        guard reader.isAtEnd else { throw reader.failure("\(reader.remaining) trailing bytes in record") }
        return record
    }
}

/// Splits a segment's bytes into framed records and, at the first bad one, tells whether
/// anything valid follows (the difference between a torn tail and corruption).
struct SegmentScanner {
    let bytes: [UInt8]

    enum Frame {
        case record(kind: WALRecord.Kind, payload: Range<Int>, next: Int)
        case invalid(reason: String)
    }

    /// Parses the frame at `offset`, verifying length and checksum.
    func frame(at offset: Int) -> Frame {
        let remaining = bytes.count - offset
        guard remaining >= WALRecord.headerSize else {
            return .invalid(reason: "record header cut short (\(remaining) of \(WALRecord.headerSize) bytes)")
        }
        let length = Int(readUInt32(at: offset))
        let storedCRC = readUInt32(at: offset + 4)
        let rawKind = bytes[offset + 8]
        guard length <= WALRecord.maxPayload else { return .invalid(reason: "record length \(length) is implausible") }
        guard length <= remaining - WALRecord.headerSize else {
            return .invalid(reason: "record of \(length) bytes runs past the end of the file")
        }
        guard let kind = WALRecord.Kind(rawValue: rawKind) else { return .invalid(reason: "unknown record type \(rawKind)") }
        let payload = (offset + WALRecord.headerSize)..<(offset + WALRecord.headerSize + length)
        let computed = bytes.withUnsafeBytes { raw in
            CRC32C.checksum(UnsafeRawBufferPointer(rebasing: raw[(offset + 8)..<payload.upperBound]))
        }
        guard computed == storedCRC else {
            return .invalid(reason: "checksum mismatch (stored \(hex(storedCRC)), computed \(hex(computed)))")
        }
        return .record(kind: kind, payload: payload, next: payload.upperBound)
    }

    /// Offset of the first position after `offset` where a complete, checksum-valid record
    /// starts; nil if none (what follows a bad record is then a torn write, not data).
    func firstValidRecord(after offset: Int) -> Int? {
        var candidate = offset + 1
        // A record's type byte is never zero, so no record starts in the zero padding.
        let lastTypeByte = endOfNonZero() - 1
        while candidate + WALRecord.headerSize <= bytes.count && candidate + 8 <= lastTypeByte {
            // Cheap filters before the checksum: a known type and a length that fits.
            if WALRecord.Kind(rawValue: bytes[candidate + 8]) != nil,
               Int(readUInt32(at: candidate)) <= bytes.count - candidate - WALRecord.headerSize,
               case .record = frame(at: candidate) {
                return candidate
            }
            candidate += 1
        }
        return nil
    }

    /// One past the last non-zero byte (0 if the file is all zeros): preallocated space
    /// after the data is zeros.
    func endOfNonZero() -> Int {
        bytes.withUnsafeBytes { raw in
            var end = raw.count
            while end >= 8 && raw.loadUnaligned(fromByteOffset: end - 8, as: UInt64.self) == 0 { end -= 8 }
            while end > 0 && raw[end - 1] == 0 { end -= 1 }
            return end
        }
    }

    private func readUInt32(at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
            | UInt32(bytes[offset + 3]) << 24
    }
}
