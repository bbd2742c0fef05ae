#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CZlib

/// Applies one layer tar to an empty directory (the layer's snapshot), producing the overlayfs
/// form of the layer: whiteouts become 0/0 character devices, opaque directories carry
/// `trusted.overlay.opaque=y`.
///
/// Every path is resolved component by component with `openat(O_NOFOLLOW)` from the snapshot
/// directory, creating missing parents as plain directories, so nothing is ever written
/// outside it. The rules for hostile input (each refused with the entry named):
/// - absolute entry paths, any `..` component, NUL bytes in a name;
/// - an entry whose parent path is a symlink, wherever the symlink points — a write never
///   follows a symlink;
/// - a symlink whose *relative* target climbs above the root (`a/l -> ../../x`). An absolute
///   target is stored as is: it is resolved later inside the container's own root, and this
///   code never follows it. A symlink is data; following one is what is refused;
/// - a hardlink whose target is absolute, has `..`, is a directory, goes through a symlink, or
///   was not extracted earlier in this same layer;
/// - the same path twice in one layer, except a directory entry repeated for the same
///   directory (the later entry's metadata wins), and an explicit directory entry for a
///   directory earlier created implicitly as a parent;
/// - a file larger than `maxEntrySize`, a layer whose files total more than `maxTotalSize` or
///   that has more than `maxEntries` entries;
/// - device nodes (and whiteouts, which are device nodes) when not running as root;
/// - xattrs in the `trusted.overlay.` namespace (they would steer overlayfs);
/// - unsupported entry types (GNU sparse files, …).
/// The caller unpacks into a temp directory and removes it on any error, so nothing partial
/// remains.
final class LayerUnpacker {
    private let rootFD: Int32
    private let limits: UnpackLimits
    private let isRoot: Bool
    /// Paths written by entries of this layer, with what they are.
    private var explicit: [String: TarEntry.Kind] = [:]
    /// Directories created because an entry needed them as parents.
    private var implicitDirs: Set<String> = []
    /// Directory metadata applied after their contents (so mtimes stick and read-only
    /// directories can still be filled). Keyed by path; `directoryOrder` keeps creation order.
    private var directoryMetadata: [String: TarEntry] = [:]
    private var directoryOrder: [[String]] = []
    private var total: Int64 = 0
    private var entries = 0

    static let whiteoutPrefix = ".wh."
    static let opaqueMarker = ".wh..wh..opq"

    init(directory: String, limits: UnpackLimits, isRoot: Bool = getuid() == 0) throws {
        rootFD = try FS.open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
        self.limits = limits
        self.isRoot = isRoot
    }

    deinit { close(rootFD) }

    /// Reads every entry of `tar` and writes it under the directory.
    func apply(_ tar: TarReader) throws {
        while let entry = try tar.next() {
            entries += 1
            if entries > limits.maxEntries {
                throw ImageStoreError.hostileEntry(entry: entry.path, reason: "layer has more than \(limits.maxEntries) entries")
            }
            try apply(entry, tar)
        }
        try applyDirectoryMetadata()
    }

    private func hostile(_ e: TarEntry, _ reason: String) -> ImageStoreError {
        .hostileEntry(entry: e.path, reason: reason)
    }

    /// Splits an archive path into components, refusing absolute paths, `..` and NULs.
    private func components(_ path: String, of e: TarEntry, what: String = "path") throws -> [String] {
        if path.isEmpty { throw hostile(e, "empty \(what)") }
        if path.hasPrefix("/") { throw hostile(e, "absolute \(what) \"\(path)\"") }
        if path.utf8.contains(0) { throw hostile(e, "NUL byte in \(what)") }
        var out: [String] = []
        for c in path.split(separator: "/", omittingEmptySubsequences: true) {
            if c == "." { continue }
            if c == ".." { throw hostile(e, "\(what) \"\(path)\" has a \"..\" component") }
            out.append(String(c))
        }
        return out
    }

    private func key(_ comps: [String]) -> String { comps.joined(separator: "/") }

    /// Opens the directory `comps` (relative to the root) without following any symlink,
    /// creating missing directories when `create`. The caller closes the descriptor.
    private func openDirectory(_ comps: [String], for e: TarEntry, create: Bool) throws -> Int32 {
        var cur = dup(rootFD)
        if cur < 0 { throw ImageStoreError.system(operation: "dup", errno: errno) }
        for (i, c) in comps.enumerated() {
            var fd = openat(cur, c, skiff_o_path() | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if fd < 0 {
                let err = errno
                let prefix = key(Array(comps[...i]))
                var st = stat()
                if fstatat(cur, c, &st, AT_SYMLINK_NOFOLLOW) == 0 {
                    close(cur)
                    if (st.st_mode & S_IFMT) == S_IFLNK {
                        throw hostile(e, "parent \"\(prefix)\" is a symlink: writing through a symlink is refused")
                    }
                    throw hostile(e, "parent \"\(prefix)\" is not a directory")
                }
                guard err == ENOENT, create else {
                    close(cur)
                    throw ImageStoreError.system(operation: "open \(prefix) for entry \(e.path)", errno: err)
                }
                if mkdirat(cur, c, 0o755) < 0 {
                    let err = errno
                    close(cur)
                    throw ImageStoreError.system(operation: "mkdir \(prefix) for entry \(e.path)", errno: err)
                }
                implicitDirs.insert(prefix)
                fd = openat(cur, c, skiff_o_path() | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
                if fd < 0 {
                    let err = errno
                    close(cur)
                    throw ImageStoreError.system(operation: "open \(prefix) for entry \(e.path)", errno: err)
                }
            }
            close(cur)
            cur = fd
        }
        return cur
    }

    private func sys(_ rc: Int32, _ op: String, _ e: TarEntry) throws {
        if rc < 0 { throw ImageStoreError.system(operation: "\(op) for entry \(e.path)", errno: errno) }
    }

    private func apply(_ e: TarEntry, _ tar: TarReader) throws {
        let comps = try components(e.path, of: e)
        guard let name = comps.last else {
            // The root itself ("./"): only a directory makes sense; its metadata is kept.
            guard e.kind == .directory else { throw hostile(e, "entry names the root but is not a directory") }
            try recordDirectory([], e)
            return
        }
        let parent = Array(comps.dropLast())

        if name == Self.opaqueMarker {
            try checkWhiteoutAllowed(e)
            let dirFD = try openDirectory(parent, for: e, create: true)
            defer { close(dirFD) }
            let fd = openat(dirFD, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            try sys(fd, "open directory", e)
            defer { close(fd) }
            try sys(fsetxattr(fd, "trusted.overlay.opaque", "y", 1, 0), "set trusted.overlay.opaque", e)
            return
        }
        if name.hasPrefix(Self.whiteoutPrefix) {
            if name.hasPrefix(Self.whiteoutPrefix + Self.whiteoutPrefix) { return } // aufs metadata, not content
            let target = String(name.dropFirst(Self.whiteoutPrefix.count))
            guard target != "." && target != ".." else { throw hostile(e, "whiteout of \"\(target)\"") }
            try checkWhiteoutAllowed(e)
            let targetKey = key(parent + [target])
            try claim(targetKey, kind: .characterDevice, e)
            let pfd = try openDirectory(parent, for: e, create: true)
            defer { close(pfd) }
            try sys(mknodat(pfd, target, S_IFCHR, 0), "mknod whiteout \(targetKey)", e)
            return
        }

        let path = key(comps)
        if e.kind == .directory {
            if let existing = explicit[path], existing != .directory { throw hostile(e, "duplicate entry") }
        } else {
            try claim(path, kind: e.kind, e)
        }
        if e.kind == .regular {
            if e.size > limits.maxEntrySize {
                throw hostile(e, "entry size \(e.size) exceeds the limit of \(limits.maxEntrySize) bytes")
            }
            total += e.size
            if total > limits.maxTotalSize {
                throw hostile(e, "layer contents exceed the limit of \(limits.maxTotalSize) bytes")
            }
        }

        let pfd = try openDirectory(parent, for: e, create: true)
        defer { close(pfd) }
        switch e.kind {
        case .directory:
            var st = stat()
            if fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 {
                if (st.st_mode & S_IFMT) != S_IFDIR { throw hostile(e, "duplicate entry (a non-directory exists at this path)") }
            } else {
                try sys(mkdirat(pfd, name, 0o700), "mkdir", e)
            }
            explicit[path] = .directory
            try recordDirectory(comps, e)
        case .regular:
            let fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd < 0 && errno == EEXIST { throw hostile(e, "conflicts with a directory implied by earlier entries") }
            try sys(fd, "create", e)
            defer { close(fd) }
            var written: Int64 = 0
            while true {
                let chunk = try tar.readData()
                if chunk.isEmpty { break }
                try FS.writeAll(fd, chunk, e.path)
                written += Int64(chunk.count)
            }
            if isRoot { try sys(fchown(fd, e.uid, e.gid), "chown", e) }
            try sys(fchmod(fd, mode_t(e.mode)), "chmod", e)
            for (k, v) in e.xattrs.sorted(by: { $0.key < $1.key }) {
                try checkXattr(k, e)
                try sys(v.withUnsafeBytes { fsetxattr(fd, k, $0.baseAddress, $0.count, 0) }, "setxattr \(k)", e)
            }
            var ts = Self.times(e)
            try sys(futimens(fd, &ts), "set mtime", e)
        case .symlink:
            try checkSymlinkTarget(e, parent: parent)
            try create(e, in: pfd, name) { symlinkat(e.linkTarget, pfd, name) }
            try finishNonRegular(e, pfd, name)
        case .hardlink:
            let targetComps = try components(e.linkTarget, of: e, what: "hardlink target")
            guard let tname = targetComps.last else { throw hostile(e, "hardlink to the root") }
            guard let kind = explicit[key(targetComps)], kind != .directory else {
                throw hostile(e, "hardlink target \"\(e.linkTarget)\" is not a file extracted earlier in this layer")
            }
            let tfd = try openDirectory(Array(targetComps.dropLast()), for: e, create: false)
            defer { close(tfd) }
            try create(e, in: pfd, name) { linkat(tfd, tname, pfd, name, 0) }
        case .characterDevice, .blockDevice, .fifo:
            if e.kind != .fifo && !isRoot { throw hostile(e, "device nodes can only be created by root") }
            let type: mode_t = e.kind == .fifo ? S_IFIFO : (e.kind == .characterDevice ? S_IFCHR : S_IFBLK)
            let dev = Self.makedev(e.devMajor, e.devMinor)
            try create(e, in: pfd, name) { mknodat(pfd, name, type | 0o600, dev) }
            try finishNonRegular(e, pfd, name)
        }
    }

    /// Runs `make` to create `name`, turning EEXIST into a refusal that names the entry.
    private func create(_ e: TarEntry, in pfd: Int32, _ name: String, _ make: () -> Int32) throws {
        if make() < 0 {
            if errno == EEXIST { throw hostile(e, "conflicts with a directory implied by earlier entries") }
            throw ImageStoreError.system(operation: "create \(e.kind) for entry \(e.path)", errno: errno)
        }
    }

    private func finishNonRegular(_ e: TarEntry, _ pfd: Int32, _ name: String) throws {
        if isRoot { try sys(fchownat(pfd, name, e.uid, e.gid, AT_SYMLINK_NOFOLLOW), "lchown", e) }
        if e.kind != .symlink {
            // The node was just created by us in a private directory: not a symlink.
            try sys(fchmodat(pfd, name, mode_t(e.mode), 0), "chmod", e)
        }
        if !e.xattrs.isEmpty {
            let procPath = "/proc/self/fd/\(pfd)/\(name)"
            for (k, v) in e.xattrs.sorted(by: { $0.key < $1.key }) {
                try checkXattr(k, e)
                try sys(v.withUnsafeBytes { lsetxattr(procPath, k, $0.baseAddress, $0.count, 0) }, "setxattr \(k)", e)
            }
        }
        var ts = Self.times(e)
        try sys(utimensat(pfd, name, &ts, AT_SYMLINK_NOFOLLOW), "set mtime", e)
    }

    /// Marks `path` as written by this layer; a second non-directory write is a duplicate.
    private func claim(_ path: String, kind: TarEntry.Kind, _ e: TarEntry) throws {
        if explicit[path] != nil { throw hostile(e, "duplicate entry") }
        if implicitDirs.contains(path) { throw hostile(e, "conflicts with a directory implied by earlier entries") }
        explicit[path] = kind
    }

    private func checkWhiteoutAllowed(_ e: TarEntry) throws {
        if !isRoot { throw hostile(e, "whiteouts are device nodes (or trusted xattrs) and need root") }
    }

    private func checkXattr(_ name: String, _ e: TarEntry) throws {
        if name.hasPrefix("trusted.overlay.") { throw hostile(e, "xattr \(name) would steer overlayfs") }
        if name.isEmpty || name.utf8.contains(0) { throw hostile(e, "invalid xattr name") }
    }

    /// Relative targets are resolved lexically from the link's directory and must stay under
    /// the root; absolute targets are container paths and always do.
    private func checkSymlinkTarget(_ e: TarEntry, parent: [String]) throws {
        let t = e.linkTarget
        if t.isEmpty { throw hostile(e, "empty symlink target") }
        if t.utf8.contains(0) { throw hostile(e, "NUL byte in symlink target") }
        if t.hasPrefix("/") { return }
        var depth = parent.count
        for c in t.split(separator: "/", omittingEmptySubsequences: true) {
            if c == "." { continue }
            if c == ".." {
                depth -= 1
                if depth < 0 { throw hostile(e, "symlink target \"\(t)\" escapes the root") }
            } else {
                depth += 1
            }
        }
    }

    private func recordDirectory(_ comps: [String], _ e: TarEntry) throws {
        let k = key(comps)
        if directoryMetadata[k] == nil { directoryOrder.append(comps) }
        directoryMetadata[k] = e
        if !e.xattrs.isEmpty {
            let dfd = try openDirectory(comps, for: e, create: false)
            defer { close(dfd) }
            let fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            try sys(fd, "open directory", e)
            defer { close(fd) }
            for (name, v) in e.xattrs.sorted(by: { $0.key < $1.key }) {
                try checkXattr(name, e)
                try sys(v.withUnsafeBytes { fsetxattr(fd, name, $0.baseAddress, $0.count, 0) }, "setxattr \(name)", e)
            }
        }
    }

    /// Ownership, mode and mtime of directories, deepest first, after all contents exist.
    private func applyDirectoryMetadata() throws {
        for comps in directoryOrder.reversed() {
            guard let e = directoryMetadata[key(comps)] else { continue }
            var ts = Self.times(e)
            if let name = comps.last {
                let pfd = try openDirectory(Array(comps.dropLast()), for: e, create: false)
                defer { close(pfd) }
                if isRoot { try sys(fchownat(pfd, name, e.uid, e.gid, AT_SYMLINK_NOFOLLOW), "chown", e) }
                try sys(fchmodat(pfd, name, mode_t(e.mode), 0), "chmod", e)
                try sys(utimensat(pfd, name, &ts, AT_SYMLINK_NOFOLLOW), "set mtime", e)
            } else {
                if isRoot { try sys(fchown(rootFD, e.uid, e.gid), "chown", e) }
                try sys(fchmod(rootFD, mode_t(e.mode)), "chmod", e)
                try sys(futimens(rootFD, &ts), "set mtime", e)
            }
        }
    }

    private static func times(_ e: TarEntry) -> [timespec] {
        let t = timespec(tv_sec: Int(e.mtimeSeconds), tv_nsec: Int(e.mtimeNanoseconds))
        return [t, t]
    }

    /// glibc's `makedev` encoding (a macro Swift cannot import).
    static func makedev(_ major: UInt32, _ minor: UInt32) -> dev_t {
        let ma = UInt64(major), mi = UInt64(minor)
        return dev_t(((ma & 0xfffff000) << 32) | ((ma & 0xfff) << 8) | ((mi & 0xffffff00) << 12) | (mi & 0xff))
    }
}
