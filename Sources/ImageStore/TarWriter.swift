/// Writes tar archives in POSIX ustar form, with a pax extended header only when a field does
/// not fit (long path or link, large size, xattrs). Output depends only on the entries given,
/// so archives built from the same inputs are byte-identical.
final class TarWriter {
    private let sink: ByteSink

    init(_ sink: ByteSink) { self.sink = sink }

    /// Writes `entry`'s header, then `data` (which must be exactly `entry.size` bytes when
    /// given as a source; regular files only).
    func add(_ entry: TarEntry, data: ByteSource? = nil) throws {
        var pax: [(String, [UInt8])] = []
        var name = entry.path
        if entry.kind == .directory && !name.hasSuffix("/") { name += "/" }
        var prefix = ""
        if name.utf8.count > 100 {
            if let split = Self.splitForUstar(name) {
                (prefix, name) = split
            } else {
                pax.append(("path", Array(entry.path.utf8)))
                name = String(decoding: Array(name.utf8).prefix(100), as: UTF8.self)
            }
        }
        if entry.linkTarget.utf8.count > 100 { pax.append(("linkpath", Array(entry.linkTarget.utf8))) }
        let size = entry.kind == .regular ? entry.size : 0
        if size > 0o77777777777 { pax.append(("size", Array(String(size).utf8))) }
        if entry.mtimeNanoseconds != 0 {
            let frac = String(entry.mtimeNanoseconds)
            pax.append(("mtime", Array("\(entry.mtimeSeconds).\(String(repeating: "0", count: 9 - frac.count))\(frac)".utf8)))
        }
        for key in entry.xattrs.keys.sorted() {
            pax.append(("SCHILY.xattr.\(key)", entry.xattrs[key] ?? []))
        }
        if !pax.isEmpty {
            var body: [UInt8] = []
            for (k, v) in pax { body += Self.paxRecord(k, v) }
            var h = TarEntry(path: "PaxHeaders/" + String(entry.path.suffix(80)), kind: .regular)
            h.size = Int64(body.count)
            h.mtimeSeconds = entry.mtimeSeconds
            try sink.write(Self.header(h, name: String(decoding: Array(h.path.utf8).prefix(100), as: UTF8.self),
                                       prefix: "", type: UInt8(ascii: "x"), size: h.size))
            try sink.write(body + Self.padding(Int64(body.count)))
        }
        let type: UInt8
        switch entry.kind {
        case .regular: type = UInt8(ascii: "0")
        case .hardlink: type = UInt8(ascii: "1")
        case .symlink: type = UInt8(ascii: "2")
        case .characterDevice: type = UInt8(ascii: "3")
        case .blockDevice: type = UInt8(ascii: "4")
        case .directory: type = UInt8(ascii: "5")
        case .fifo: type = UInt8(ascii: "6")
        }
        try sink.write(Self.header(entry, name: name, prefix: prefix, type: type, size: size))
        guard size > 0 else { return }
        guard let data else { throw ImageStoreError.malformedArchive("no data given for \(entry.path)") }
        var written: Int64 = 0
        while true {
            let chunk = try data.next()
            if chunk.isEmpty { break }
            written += Int64(chunk.count)
            guard written <= size else { break }
            try sink.write(chunk)
        }
        guard written == size else {
            throw ImageStoreError.sizeMismatch(expected: size, actual: written, what: "tar data of \(entry.path) (changed while archiving?)")
        }
        let pad = Self.padding(size)
        if !pad.isEmpty { try sink.write(pad) }
    }

    /// Writes the end-of-archive marker (two zero blocks) and finishes the sink.
    func finish() throws {
        try sink.write([UInt8](repeating: 0, count: 1024))
        try sink.finish()
    }

    static func padding(_ size: Int64) -> [UInt8] {
        [UInt8](repeating: 0, count: Int((512 - size % 512) % 512))
    }

    static func paxRecord(_ key: String, _ value: [UInt8]) -> [UInt8] {
        // The length field counts itself: grow it until it is consistent.
        let rest = 1 + key.utf8.count + 1 + value.count + 1
        var len = rest + String(rest).count
        if String(len).count != String(rest).count { len = rest + String(len).count }
        return Array("\(len) \(key)=".utf8) + value + [0x0a]
    }

    /// Splits `path` into ustar prefix (≤155) and name (≤100) at a '/', if possible.
    static func splitForUstar(_ path: String) -> (String, String)? {
        let u = Array(path.utf8)
        guard u.count <= 256 else { return nil }
        for i in stride(from: min(u.count - 1, 155), through: 1, by: -1) where u[i] == UInt8(ascii: "/") {
            let name = u[(i + 1)...]
            if name.count <= 100 && !name.isEmpty {
                return (String(decoding: u[..<i], as: UTF8.self), String(decoding: name, as: UTF8.self))
            }
        }
        return nil
    }

    static func header(_ e: TarEntry, name: String, prefix: String, type: UInt8, size: Int64) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 512)
        func put(_ s: String, _ off: Int, _ len: Int) {
            for (i, c) in s.utf8.prefix(len).enumerated() { b[off + i] = c }
        }
        func octal(_ v: Int64, _ off: Int, _ len: Int) {
            let clamped = min(max(v, 0), (1 << (3 * Int64(len - 1))) - 1)
            let s = String(clamped, radix: 8)
            put(String(repeating: "0", count: max(0, len - 1 - s.count)) + s, off, len - 1)
        }
        put(name, 0, 100)
        octal(Int64(e.mode & 0o7777), 100, 8)
        octal(Int64(e.uid), 108, 8)
        octal(Int64(e.gid), 116, 8)
        octal(size, 124, 12)
        octal(e.mtimeSeconds, 136, 12)
        b[156] = type
        put(e.linkTarget, 157, 100)
        put("ustar\0", 257, 6)
        put("00", 263, 2)
        octal(Int64(e.devMajor), 329, 8)
        octal(Int64(e.devMinor), 337, 8)
        put(prefix, 345, 155)
        for i in 148..<156 { b[i] = 0x20 }
        let sum = b.reduce(0) { $0 + Int64($1) }
        let s = String(sum, radix: 8)
        put(String(repeating: "0", count: max(0, 6 - s.count)) + s, 148, 6)
        b[154] = 0
        b[155] = 0x20
        return b
    }
}
