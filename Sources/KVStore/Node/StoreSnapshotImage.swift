/// The file `skiff store snapshot save` writes and `snapshot restore` reads: a magic
/// header, the keyspace bytes and a CRC-32C of them, so a truncated or damaged backup is
/// refused instead of restored.
/// Layout: "SKIFFSNAP1" (10 bytes), keyspace length (u64 LE), keyspace bytes, CRC-32C (u32 LE).
public enum StoreSnapshotImage {
    static let magic = Array("SKIFFSNAP1".utf8)

    public static func encode(keySpace: [UInt8]) -> [UInt8] {
        var out = magic
        out.reserveCapacity(magic.count + 12 + keySpace.count)
        withUnsafeBytes(of: UInt64(keySpace.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: keySpace)
        withUnsafeBytes(of: CRC32C.checksum(keySpace).littleEndian) { out.append(contentsOf: $0) }
        return out
    }

    /// The keyspace bytes; throws naming what is wrong with the file.
    public static func decode(_ bytes: [UInt8], file: String) throws -> [UInt8] {
        guard bytes.count >= magic.count + 12, Array(bytes[0..<magic.count]) == magic else {
            throw NodeError.corruptState(file: file, detail: "not a skiff store snapshot (bad magic)")
        }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[magic.count + i]) << (8 * UInt64(i)) }
        let start = magic.count + 8
        guard length <= UInt64(bytes.count - start - 4), bytes.count == start + Int(length) + 4 else {
            throw NodeError.corruptState(
                file: file, detail: "declares \(length) keyspace bytes but holds \(bytes.count - start - 4) (truncated?)")
        }
        let keySpace = Array(bytes[start..<start + Int(length)])
        var stored: UInt32 = 0
        for i in 0..<4 { stored |= UInt32(bytes[start + Int(length) + i]) << (8 * UInt32(i)) }
        let actual = CRC32C.checksum(keySpace)
        guard stored == actual else {
            throw NodeError.corruptState(
                file: file, detail: "checksum mismatch (stored \(String(stored, radix: 16)), computed \(String(actual, radix: 16)))")
        }
        return keySpace
    }
}
