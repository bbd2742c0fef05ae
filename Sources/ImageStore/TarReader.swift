/// A streaming tar reader: POSIX ustar, pax extended headers (`x` per entry, `g` global) with
/// `path`, `linkpath`, `size`, `mtime`, `uid`, `gid` and `SCHILY.xattr.*`, and GNU long names
/// (`././@LongLink`, types `L` and `K`). Header checksums are verified.
///
/// Usage: call `next()` for each entry, then read its data with `readData` (or not: the next
/// call to `next()` skips what is left).
final class TarReader {
    private let reader: BufferedReader
    private let maxEntrySize: Int64
    private var remaining: Int64 = 0
    private var padding: Int64 = 0
    private var globalPax: [String: [UInt8]] = [:]
    private var ended = false

    /// Extension headers (pax, GNU long names) are read into memory; this bounds them.
    static let maxExtensionHeaderSize: Int64 = 1 << 20

    init(_ reader: BufferedReader, maxEntrySize: Int64 = .max) {
        self.reader = reader
        self.maxEntrySize = maxEntrySize
    }

    /// The next entry, or nil at the end-of-archive marker (or a clean end of stream).
    func next() throws -> TarEntry? {
        if ended { return nil }
        try skipRest()
        var pax: [String: [UInt8]] = [:]
        var longName: String?
        var longLink: String?
        while true {
            let block = try reader.read(512)
            if block.isEmpty { ended = true; return nil }
            guard block.count == 512 else { throw ImageStoreError.malformedArchive("truncated tar header") }
            if block.allSatisfy({ $0 == 0 }) { ended = true; return nil }
            try verifyChecksum(block)
            let type = block[156]
            let size = try number(block, 124, 12, field: "size")
            guard size >= 0 else { throw ImageStoreError.malformedArchive("negative entry size") }
            switch type {
            case UInt8(ascii: "x"), UInt8(ascii: "g"):
                let data = try readExtension(size, what: "pax header")
                let records = try Self.parsePax(data)
                if type == UInt8(ascii: "g") {
                    globalPax.merge(records) { $1 }
                } else {
                    pax.merge(records) { $1 }
                }
                continue
            case UInt8(ascii: "L"):
                longName = Self.cString(try readExtension(size, what: "GNU long name"))
                continue
            case UInt8(ascii: "K"):
                longLink = Self.cString(try readExtension(size, what: "GNU long link name"))
                continue
            default:
                break
            }
            var entry = try parseHeader(block, type: type, size: size)
            let merged = globalPax.merging(pax) { $1 }
            if let n = longName { entry.path = n }
            if let l = longLink { entry.linkTarget = l }
            try apply(merged, to: &entry)
            if entry.size > maxEntrySize {
                throw ImageStoreError.hostileEntry(entry: entry.path,
                                                   reason: "entry size \(entry.size) exceeds the limit of \(maxEntrySize) bytes")
            }
            // Only regular files carry data in the archive; other kinds with a size are
            // skipped over (hardlinks in some writers) but expose none.
            remaining = entry.size
            padding = (512 - entry.size % 512) % 512
            if entry.kind != .regular { entry.size = 0 }
            entry.dataOffset = reader.consumed
            return entry
        }
    }

    /// Up to `max` bytes of the current entry's data; empty when it is all read.
    func readData(max: Int = 256 << 10) throws -> [UInt8] {
        if remaining == 0 { return [] }
        let chunk = try reader.readSome(max: Int(min(Int64(max), remaining)))
        if chunk.isEmpty { throw ImageStoreError.malformedArchive("truncated entry data") }
        remaining -= Int64(chunk.count)
        return chunk
    }

    private func skipRest() throws {
        let n = remaining + padding
        remaining = 0
        padding = 0
        if n > 0, try !reader.skip(n) { throw ImageStoreError.malformedArchive("truncated entry data") }
    }

    private func readExtension(_ size: Int64, what: String) throws -> [UInt8] {
        guard size <= Self.maxExtensionHeaderSize else {
            throw ImageStoreError.malformedArchive("\(what) of \(size) bytes exceeds \(Self.maxExtensionHeaderSize)")
        }
        let data = try reader.read(Int(size))
        guard data.count == Int(size) else { throw ImageStoreError.malformedArchive("truncated \(what)") }
        let pad = (512 - size % 512) % 512
        if pad > 0, try !reader.skip(pad) { throw ImageStoreError.malformedArchive("truncated \(what)") }
        return data
    }

    private func verifyChecksum(_ b: [UInt8]) throws {
        let stored = try number(b, 148, 8, field: "checksum")
        var unsigned: Int64 = 0
        var signed: Int64 = 0
        for i in 0..<512 {
            let v: UInt8 = (148..<156).contains(i) ? 0x20 : b[i]
            unsigned += Int64(v)
            signed += Int64(Int8(bitPattern: v))
        }
        guard stored == unsigned || stored == signed else {
            throw ImageStoreError.malformedArchive("tar header checksum mismatch (not a tar archive, or corrupt)")
        }
    }

    private func parseHeader(_ b: [UInt8], type: UInt8, size: Int64) throws -> TarEntry {
        var name = Self.field(b, 0, 100)
        let magic = Array(b[257..<263])
        let isUstar = magic == Array("ustar\0".utf8)
        if isUstar {
            let prefix = Self.field(b, 345, 155)
            if !prefix.isEmpty { name = prefix + "/" + name }
        }
        let kind: TarEntry.Kind
        switch type {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
            kind = name.hasSuffix("/") ? .directory : .regular
        case UInt8(ascii: "1"): kind = .hardlink
        case UInt8(ascii: "2"): kind = .symlink
        case UInt8(ascii: "3"): kind = .characterDevice
        case UInt8(ascii: "4"): kind = .blockDevice
        case UInt8(ascii: "5"): kind = .directory
        case UInt8(ascii: "6"): kind = .fifo
        default:
            throw ImageStoreError.hostileEntry(entry: name, reason: "unsupported tar entry type '\(Character(Unicode.Scalar(type)))'")
        }
        var e = TarEntry(path: name, kind: kind)
        e.mode = UInt32(truncatingIfNeeded: try number(b, 100, 8, field: "mode")) & 0o7777
        e.uid = UInt32(truncatingIfNeeded: try number(b, 108, 8, field: "uid"))
        e.gid = UInt32(truncatingIfNeeded: try number(b, 116, 8, field: "gid"))
        e.size = size
        e.mtimeSeconds = try number(b, 136, 12, field: "mtime")
        e.linkTarget = Self.field(b, 157, 100)
        if kind == .characterDevice || kind == .blockDevice {
            e.devMajor = UInt32(truncatingIfNeeded: try number(b, 329, 8, field: "devmajor"))
            e.devMinor = UInt32(truncatingIfNeeded: try number(b, 337, 8, field: "devminor"))
        }
        return e
    }

    private func apply(_ pax: [String: [UInt8]], to e: inout TarEntry) throws {
        for (key, value) in pax {
            let s = String(decoding: value, as: UTF8.self)
            switch key {
            case "path": e.path = s
            case "linkpath": e.linkTarget = s
            case "size":
                guard let v = Int64(s), v >= 0 else { throw ImageStoreError.malformedArchive("bad pax size \"\(s)\" for \(e.path)") }
                e.size = v
            case "uid": if let v = UInt32(s) { e.uid = v }
            case "gid": if let v = UInt32(s) { e.gid = v }
            case "mtime":
                let parts = s.split(separator: ".", maxSplits: 1)
                guard let secs = Int64(parts.first ?? "") else { throw ImageStoreError.malformedArchive("bad pax mtime \"\(s)\" for \(e.path)") }
                e.mtimeSeconds = secs
                if parts.count == 2 {
                    let frac = String(parts[1].prefix(9))
                    let padded = frac + String(repeating: "0", count: 9 - frac.count)
                    e.mtimeNanoseconds = Int32(padded) ?? 0
                }
            case "SCHILY.devmajor": if let v = UInt32(s) { e.devMajor = v }
            case "SCHILY.devminor": if let v = UInt32(s) { e.devMinor = v }
            default:
                if key.hasPrefix("SCHILY.xattr.") {
                    e.xattrs[String(key.dropFirst("SCHILY.xattr.".count))] = value
                }
            }
        }
        if e.kind == .regular && e.path.hasSuffix("/") { e.kind = .directory }
    }

    /// Parses pax records `"<len> <key>=<value>\n"`; values are raw bytes (xattrs are binary).
    static func parsePax(_ data: [UInt8]) throws -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        var i = 0
        while i < data.count {
            guard let sp = data[i...].firstIndex(of: 0x20),
                  let len = Int(String(decoding: data[i..<sp], as: UTF8.self)), len > 0, i + len <= data.count,
                  data[i + len - 1] == 0x0a
            else { throw ImageStoreError.malformedArchive("malformed pax record") }
            let record = data[(sp + 1)..<(i + len - 1)]
            guard let eq = record.firstIndex(of: UInt8(ascii: "=")) else {
                throw ImageStoreError.malformedArchive("malformed pax record (no '=')")
            }
            out[String(decoding: record[record.startIndex..<eq], as: UTF8.self)] = Array(record[(eq + 1)...])
            i += len
        }
        return out
    }

    static func field(_ b: [UInt8], _ off: Int, _ len: Int) -> String {
        let slice = b[off..<(off + len)]
        let end = slice.firstIndex(of: 0) ?? slice.endIndex
        return String(decoding: slice[off..<end], as: UTF8.self)
    }

    static func cString(_ b: [UInt8]) -> String {
        String(decoding: b.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// An octal field, or GNU base-256 when the high bit of the first byte is set.
    private func number(_ b: [UInt8], _ off: Int, _ len: Int, field: String) throws -> Int64 {
        if b[off] & 0x80 != 0 {
            var v: Int64 = Int64(b[off] & 0x7f)
            for i in (off + 1)..<(off + len) {
                guard v <= (Int64.max >> 8) else { throw ImageStoreError.malformedArchive("tar \(field) field overflows") }
                v = (v << 8) | Int64(b[i])
            }
            return v
        }
        var v: Int64 = 0
        var seen = false
        for i in off..<(off + len) {
            let c = b[i]
            if c == 0 || (c == 0x20 && seen) { break }
            if c == 0x20 { continue }
            guard c >= 0x30 && c <= 0x37 else { throw ImageStoreError.malformedArchive("invalid octal in tar \(field) field") }
            guard v <= (Int64.max >> 3) else { throw ImageStoreError.malformedArchive("tar \(field) field overflows") }
            v = v * 8 + Int64(c - 0x30)
            seen = true
        }
        return v
    }
}
