/// Binary form of the whole keyspace (the Raft state-machine snapshot):
///
///     "SKMV" | version u8 = 1 | currentRevision varint | compactedRevision varint
///     | keyCount varint | keyCount × (key bytes | versionCount varint | versions…)
///     | leaseCount varint | leaseCount × (id varint | ttl varint)      (format 2 only)
///     | crc32c u32le of everything before it
///
/// A version is `flags u8 (bit 0: tombstone) | modRevision | createRevision | version |
/// lease` (zig-zag varints) `| value bytes`. Keys are written ascending, versions by
/// ascending modRevision; decoding checks both, so a restored store is exactly as valid as
/// the one that wrote it.
enum KeySpaceCoding {
    static let magic: [UInt8] = Array("SKMV".utf8)
    static let formatVersion: UInt8 = 2

    static func encode(_ keySpace: KeySpace) -> [UInt8] {
        var writer = ByteWriter(reservingCapacity: 64 + keySpace.keys.count * 64)
        writer.writeRaw(magic)
        writer.write(formatVersion)
        writer.writeVarint(keySpace.currentRevision)
        writer.writeVarint(keySpace.compactedRevision)
        writer.writeVarint(UInt64(keySpace.keys.count))
        keySpace.keys.forEach { key in
            let versions = keySpace.histories[key]?.versions ?? []
            writer.writeLengthPrefixed(key)
            writer.writeVarint(UInt64(versions.count))
            for version in versions {
                writer.write(version.isTombstone ? 1 : 0)
                writer.writeVarint(version.modRevision)
                writer.writeVarint(version.createRevision)
                writer.writeVarint(version.version)
                writer.writeVarint(version.lease)
                writer.writeLengthPrefixed(version.value)
            }
        }
        writer.writeVarint(UInt64(keySpace.leases.count))
        for (id, ttl) in keySpace.leases.sorted(by: { $0.key < $1.key }) {
            writer.writeVarint(id)
            writer.writeVarint(ttl)
        }
        var bytes = writer.bytes
        let crc = CRC32C.checksum(bytes)
        withUnsafeBytes(of: crc.littleEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }

    static func decode(_ bytes: [UInt8]) throws(StoreError) -> KeySpace {
        guard bytes.count >= magic.count + 1 + 4, Array(bytes.prefix(magic.count)) == magic else {
            throw .corrupt("keyspace snapshot: missing SKMV header")
        }
        let bodyEnd = bytes.count - 4
        var trailer = ByteReader(bytes, from: bodyEnd)
        guard let stored = try? trailer.readFixed32() else { throw .corrupt("keyspace snapshot: no checksum") }
        let computed = CRC32C.checksum(bytes[0..<bodyEnd])
        guard stored == computed else {
            throw .corrupt("keyspace snapshot: checksum mismatch (stored \(hex(stored)), computed \(hex(computed)))")
        }
        var reader = ByteReader(bytes, from: magic.count, to: bodyEnd)
        do {
            let version = try reader.readByte()
            guard version == 1 || version == formatVersion else { throw reader.failure("unsupported keyspace format version \(version)") }
            var keySpace = KeySpace()
            keySpace.currentRevision = try reader.readSignedVarint()
            keySpace.compactedRevision = try reader.readSignedVarint()
            guard keySpace.currentRevision >= 1, keySpace.compactedRevision >= 0,
                  keySpace.compactedRevision <= keySpace.currentRevision
            else { throw reader.failure("inconsistent revisions") }
            let keyCount = try reader.readCount(minElementSize: 2)
            var sortedKeys: [[UInt8]] = []
            sortedKeys.reserveCapacity(keyCount)
            keySpace.histories.reserveCapacity(keyCount)
            for _ in 0..<keyCount {
                let key = try reader.readLengthPrefixed()
                if let last = sortedKeys.last, !keyLess(last, key) { throw reader.failure("keys out of order") }
                let versionCount = try reader.readCount(minElementSize: 6)
                guard versionCount > 0 else { throw reader.failure("key without versions") }
                var versions: [KeyVersion] = []
                versions.reserveCapacity(versionCount)
                for _ in 0..<versionCount {
                    let flags = try reader.readByte()
                    guard flags <= 1 else { throw reader.failure("unknown version flags \(flags)") }
                    let version = KeyVersion(
                        modRevision: try reader.readSignedVarint(), createRevision: try reader.readSignedVarint(),
                        version: try reader.readSignedVarint(), lease: try reader.readSignedVarint(),
                        value: try reader.readLengthPrefixed(), isTombstone: flags == 1)
                    guard version.modRevision <= keySpace.currentRevision,
                          versions.last.map({ $0.modRevision < version.modRevision }) ?? true
                    else { throw reader.failure("version revisions out of order") }
                    versions.append(version)
                }
                sortedKeys.append(key)
                keySpace.histories[key] = KeyHistory(versions: versions)
            }
            if version >= 2 {
                let leaseCount = try reader.readCount(minElementSize: 2)
                for _ in 0..<leaseCount {
                    let id = try reader.readSignedVarint()
                    keySpace.leases[id] = try reader.readSignedVarint()
                }
            }
            guard reader.isAtEnd else { throw reader.failure("\(reader.remaining) trailing bytes") }
            keySpace.keys = SortedKeySet(sortedKeys: sortedKeys)
            keySpace.rebuildLeaseKeys()
            return keySpace
        } catch {
            throw .corrupt("keyspace snapshot: \(error)")
        }
    }

    /// Rebuilds the watch history (revisions ≥ compacted) from the retained versions. Within
    /// one revision the events come out in key order. An event exactly at the compacted
    /// revision may lack its prevKV if compaction dropped the version before it.
    static func eventLog(of keySpace: KeySpace) -> [RevisionEvents] {
        var events: [(revision: Int64, sequence: Int, event: WatchEvent)] = []
        var sequence = 0
        keySpace.keys.forEach { key in
            guard let versions = keySpace.histories[key]?.versions else { return }
            for (i, version) in versions.enumerated() where version.modRevision >= keySpace.compactedRevision {
                let previous = i > 0 && !versions[i - 1].isTombstone ? versions[i - 1].keyValue(key: key) : nil
                let event = version.isTombstone
                    ? WatchEvent(kind: .delete, kv: KeyValue(key: key, modRevision: version.modRevision), prevKV: previous)
                    : WatchEvent(kind: .put, kv: version.keyValue(key: key), prevKV: previous)
                events.append((version.modRevision, sequence, event))
                sequence += 1
            }
        }
        events.sort { ($0.revision, $0.sequence) < ($1.revision, $1.sequence) }
        var log: [RevisionEvents] = []
        for (revision, _, event) in events {
            if log.last?.revision == revision {
                log[log.count - 1].events.append(event)
            } else {
                log.append(RevisionEvents(revision: revision, events: [event]))
            }
        }
        return log
    }
}

func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
