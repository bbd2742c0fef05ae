/// One line of `/proc/self/mountinfo` (proc(5)), the fields cgroup handling needs.
struct MountInfoEntry: Sendable, Equatable {
    let mountPoint: String
    let fileSystemType: String
    let superOptions: [String]

    /// Parses mountinfo text: `id parent major:minor root mountpoint options [optional…] -
    /// fstype source superoptions`. Lines that do not have that shape are skipped.
    static func parse(_ text: String) -> [MountInfoEntry] {
        text.split(whereSeparator: \.isNewline).compactMap { line in
            let fields = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            guard let separator = fields.firstIndex(of: "-"), separator >= 5, fields.count > separator + 3 else { return nil }
            return MountInfoEntry(
                mountPoint: unescapeOctal(fields[4]),
                fileSystemType: fields[separator + 1],
                superOptions: fields[separator + 3].split(separator: ",").map(String.init)
            )
        }
    }

    static func readCurrent(_ path: String = "/proc/self/mountinfo") throws -> [MountInfoEntry] {
        parse(try CgroupFiles.read(path))
    }

    /// mountinfo escapes space, tab, newline and backslash as `\ooo`.
    static func unescapeOctal(_ text: String) -> String {
        guard text.contains("\\") else { return text }
        var bytes: [UInt8] = []
        let utf8 = Array(text.utf8)
        var i = 0
        while i < utf8.count {
            if utf8[i] == UInt8(ascii: "\\"), i + 3 < utf8.count,
               let value = UInt8(String(decoding: utf8[(i + 1)...(i + 3)], as: UTF8.self), radix: 8) {
                bytes.append(value)
                i += 4
            } else {
                bytes.append(utf8[i])
                i += 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
