#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LinuxSystem

/// One file of a configMap, secret, downwardAPI or projected volume.
struct VolumeFile: Equatable, Sendable {
    var bytes: [UInt8]
    var mode: UInt32
}

/// Writes a volume's files the way Kubernetes does, so a container never sees a half
/// updated set: the files go into a fresh timestamped directory `..<timestamp>`, then a
/// symlink `..data` pointing at it is replaced atomically (rename), and each top-level name
/// is a symlink through `..data`. An update is one rename; the old directory goes after.
enum AtomicVolumeWriter {
    static let dataLink = "..data"

    /// Writes `files` (relative paths) into `directory`; does nothing when the visible
    /// content is already exactly that. Returns whether anything changed.
    @discardableResult
    static func write(_ files: [String: VolumeFile], to directory: String, group: UInt32? = nil) throws -> Bool {
        for path in files.keys { try validate(path) }
        try Files.makeDirectories(directory)
        let current = Files.readLink(directory + "/" + dataLink)
        if let current, (try? readAll(directory + "/" + current)) == files { return false }

        let stamp = timestampDirectoryName()
        let staging = directory + "/" + stamp
        try Files.makeDirectories(staging)
        for (path, file) in files {
            let full = staging + "/" + path
            if let slash = full.lastIndex(of: "/") { try Files.makeDirectories(String(full[..<slash])) }
            try Files.write(full, file.bytes, mode: mode_t(file.mode))
            // The umask may have narrowed the mode at creation.
            chmod(full, mode_t(file.mode))
            if let group { chown(full, uid_t.max, gid_t(group)) }
        }
        if let group { chownDirectories(staging, group: group) }
        let temporaryLink = directory + "/..data_tmp"
        unlink(temporaryLink)
        guard symlink(stamp, temporaryLink) == 0 else { throw SystemError.current("symlink \(temporaryLink)") }
        guard rename(temporaryLink, directory + "/" + dataLink) == 0 else { throw SystemError.current("rename \(temporaryLink)") }

        // Top-level names: a symlink `name` → `..data/name` for each, stale ones removed.
        let topLevel = Set(files.keys.map { String($0.split(separator: "/").first ?? "") })
        for name in topLevel {
            let link = directory + "/" + name
            if Files.readLink(link) != dataLink + "/" + name {
                unlink(link)
                guard symlink(dataLink + "/" + name, link) == 0 else { throw SystemError.current("symlink \(link)") }
            }
        }
        for name in Files.list(directory) where !name.hasPrefix("..") && !topLevel.contains(name) {
            if Files.readLink(directory + "/" + name)?.hasPrefix(dataLink + "/") == true { unlink(directory + "/" + name) }
        }
        for name in Files.list(directory) where name.hasPrefix("..") && name != dataLink && name != stamp {
            try Files.removeTree(directory + "/" + name)
        }
        return true
    }

    /// The pod's fsGroup owns the data directories (setgid, so new files inherit it).
    private static func chownDirectories(_ root: String, group: UInt32) {
        chown(root, uid_t.max, gid_t(group))
        chmod(root, 0o2755)
        for name in Files.list(root) where Files.isDirectory(root + "/" + name) {
            chownDirectories(root + "/" + name, group: group)
        }
    }

    /// A relative path that stays inside the volume, as Kubernetes validates item paths.
    static func validate(_ path: String) throws {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !path.hasPrefix("/"), !path.hasPrefix(".."), path.utf8.count <= 4096,
              !parts.contains(where: { $0 == ".." || $0.isEmpty }) else {
            throw VolumeError.invalid(volume: "", reason: "file path \"\(path)\" must be relative, without \"..\" and not start with \"..\"")
        }
    }

    /// Every regular file under `root` with its mode, by relative path.
    static func readAll(_ root: String, prefix: String = "") throws -> [String: VolumeFile] {
        var files: [String: VolumeFile] = [:]
        for name in Files.list(root) {
            let full = root + "/" + name
            let relative = prefix.isEmpty ? name : prefix + "/" + name
            if Files.isDirectory(full) {
                files.merge(try readAll(full, prefix: relative)) { a, _ in a }
            } else {
                var info = stat()
                guard stat(full, &info) == 0 else { throw SystemError.current("stat \(full)") }
                files[relative] = VolumeFile(bytes: try Files.read(full) ?? [], mode: UInt32(info.st_mode & 0o7777))
            }
        }
        return files
    }

    private static func timestampDirectoryName() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "..\(pad(parts.tm_year + 1900, 4))_\(pad(parts.tm_mon + 1, 2))_\(pad(parts.tm_mday, 2))_"
            + "\(pad(parts.tm_hour, 2))_\(pad(parts.tm_min, 2))_\(pad(parts.tm_sec, 2)).\(pad(Int32(now.tv_nsec), 9))"
            + String(UInt32.random(in: 0..<UInt32.max), radix: 36)
    }
}
