import LinuxSystem

/// Resolves the user and group names of an image's `User` from its own /etc/passwd and
/// /etc/group (the topmost layer that has the file wins, as in the merged root).
enum ImageUsers {
    static func file(_ path: String, layers: [String]) -> String? {
        for layer in layers.reversed() {
            if let text = (try? Files.readString(layer + path)) ?? nil { return text }
        }
        return nil
    }

    static func user(_ name: String, layers: [String]) -> (uid: UInt32, gid: UInt32)? {
        if name == "root" { return (0, 0) }
        guard let passwd = file("/etc/passwd", layers: layers) else { return nil }
        for line in passwd.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            if fields.count >= 4, fields[0] == name, let uid = UInt32(fields[2]), let gid = UInt32(fields[3]) { return (uid, gid) }
        }
        return nil
    }

    static func group(_ name: String, layers: [String]) -> UInt32? {
        if name == "root" { return 0 }
        guard let groups = file("/etc/group", layers: layers) else { return nil }
        for line in groups.split(separator: "\n") {
            let fields = line.split(separator: ":", omittingEmptySubsequences: false)
            if fields.count >= 3, fields[0] == name, let gid = UInt32(fields[2]) { return gid }
        }
        return nil
    }
}
