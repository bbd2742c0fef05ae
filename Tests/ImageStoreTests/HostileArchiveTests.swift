#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import ImageStore
import OCI
import Testing

/// Every hostile-archive case is refused with the offending entry named, nothing is written
/// outside the snapshot, and no snapshot (or temp directory) is left behind.
@Suite struct HostileArchiveTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var entries: @Sendable () throws -> [UInt8]
        var entry: String
        var reason: String
        var limits = UnpackLimits()
        var needsRoot = false
        var testDescription: String { name }
    }

    static let bomb: [UInt8] = [UInt8](repeating: 0, count: 8 << 20)

    static let cases: [Case] = [
        Case(name: "absolute path", entries: { try makeTar([file("/etc/evil")]) }, entry: "/etc/evil", reason: "absolute path"),
        Case(name: "dotdot", entries: { try makeTar([file("a/../../evil")]) }, entry: "a/../../evil", reason: "\"..\""),
        Case(name: "dotdot only", entries: { try makeTar([file("../evil")]) }, entry: "../evil", reason: "\"..\""),
        Case(name: "write through symlink pointing inside", entries: {
            try makeTar([dir("d"), symlink("link", to: "d"), file("link/x")])
        }, entry: "link/x", reason: "symlink"),
        Case(name: "write through symlink pointing outside", entries: {
            try makeTar([symlink("etc", to: "/etc"), file("etc/passwd")])
        }, entry: "etc/passwd", reason: "symlink"),
        Case(name: "write through nested symlink", entries: {
            try makeTar([dir("a"), symlink("a/b", to: "/"), file("a/b/c/d")])
        }, entry: "a/b/c/d", reason: "symlink"),
        Case(name: "relative symlink escaping", entries: {
            try makeTar([dir("a"), symlink("a/l", to: "../../etc/shadow")])
        }, entry: "a/l", reason: "escapes the root"),
        Case(name: "hardlink escaping with dotdot", entries: {
            try makeTar([hardlink("h", to: "../outside")])
        }, entry: "h", reason: "\"..\""),
        Case(name: "hardlink to absolute path", entries: {
            try makeTar([hardlink("h", to: "/etc/passwd")])
        }, entry: "h", reason: "absolute hardlink target"),
        Case(name: "hardlink through symlink", entries: {
            try makeTar([symlink("s", to: "/etc"), hardlink("h", to: "s/passwd")])
        }, entry: "h", reason: "not a file extracted earlier"),
        Case(name: "hardlink to a missing file", entries: {
            try makeTar([hardlink("h", to: "nothing")])
        }, entry: "h", reason: "not a file extracted earlier"),
        Case(name: "duplicate file", entries: {
            try makeTar([file("f", "one"), file("f", "two")])
        }, entry: "f", reason: "duplicate entry"),
        Case(name: "file then symlink at same path", entries: {
            try makeTar([file("f"), symlink("f", to: "/etc/passwd")])
        }, entry: "f", reason: "duplicate entry"),
        Case(name: "directory replaced by symlink", entries: {
            try makeTar([file("d/x"), symlink("d", to: "/etc")])
        }, entry: "d", reason: "implied by earlier entries"),
        Case(name: "oversized entry", entries: {
            try makeTar([file("big", String(repeating: "x", count: 4096))])
        }, entry: "big", reason: "exceeds the limit", limits: UnpackLimits(maxEntrySize: 1024)),
        Case(name: "total size", entries: {
            try makeTar((0..<4).map { file("f\($0)", String(repeating: "x", count: 1000)) })
        }, entry: "f2", reason: "exceed the limit", limits: UnpackLimits(maxTotalSize: 2500)),
        Case(name: "too many entries", entries: {
            try makeTar((0..<5).map { file("f\($0)") })
        }, entry: "f3", reason: "more than 3 entries", limits: UnpackLimits(maxEntries: 3)),
        Case(name: "overlay xattr smuggled in", entries: {
            var e = file("f")
            e.0.xattrs = ["trusted.overlay.redirect": Array("/etc".utf8)]
            return try makeTar([e])
        }, entry: "f", reason: "steer overlayfs"),
    ]

    @Test(arguments: cases)
    func refusedWithEntryNamed(_ c: Case) throws {
        let tmp = TempDir("hostile")
        defer { tmp.cleanup() }
        let store = try ImageStore(root: tmp.sub("store"), limits: c.limits)
        let canary = tmp.sub("outside")
        try storeImage(store, name: "hostile:latest", layers: [try c.entries()])
        let image = try store.image("hostile:latest")
        do {
            _ = try store.unpack(image)
            Issue.record("\(c.name): was not refused")
        } catch let ImageStoreError.hostileEntry(entry, reason) {
            #expect(entry == c.entry)
            #expect(reason.contains(c.reason), "\(reason)")
        }
        #expect(store.snapshots.list().isEmpty, "no snapshot left behind")
        #expect(FS.listDir(store.snapshots.root).filter { $0.hasPrefix(".tmp") }.isEmpty, "no temp dir left behind")
        #expect(FS.listDir(canary).isEmpty)
    }

    @Test func decompressionBombRefused() throws {
        let tmp = TempDir("bomb")
        defer { tmp.cleanup() }
        let limits = UnpackLimits(decompression: DecompressionLimits(maxBytes: 1 << 30, maxRatio: 100, ratioFloor: 1 << 20))
        let store = try ImageStore(root: tmp.sub("store"), limits: limits)
        try storeImage(store, name: "bomb:latest", layers: [try makeTar([file("zeros", String(repeating: "\0", count: 8 << 20))])])
        #expect(throws: ImageStoreError.self) { _ = try store.unpack(try store.image("bomb:latest")) }
        do { _ = try store.unpack(try store.image("bomb:latest")) } catch {
            #expect("\(error)".contains("decompression bomb"), "\(error)")
        }
        #expect(store.snapshots.list().isEmpty)

        let absolute = try ImageStore(root: tmp.sub("store2"),
                                      limits: UnpackLimits(decompression: DecompressionLimits(maxBytes: 1 << 20)))
        try storeImage(absolute, name: "bomb:latest", layers: [try makeTar([file("zeros", String(repeating: "\0", count: 4 << 20))])])
        do {
            _ = try absolute.unpack(try absolute.image("bomb:latest"))
            Issue.record("absolute decompression limit not enforced")
        } catch {
            #expect("\(error)".contains("more than 1048576 bytes"), "\(error)")
        }
        #expect(absolute.snapshots.list().isEmpty)
    }

    @Test(.enabled(if: !isRoot, "checks the non-root refusal of device nodes; as root they are created"))
    func deviceNodesRefusedWhenNotRoot() throws {
        let tmp = TempDir("dev")
        defer { tmp.cleanup() }
        let store = try ImageStore(root: tmp.sub("store"))
        var dev = TarEntry(path: "dev/null", kind: .characterDevice)
        dev.devMajor = 1
        dev.devMinor = 3
        try storeImage(store, name: "dev:latest", layers: [try makeTar([(dev, [])])])
        #expect(throws: ImageStoreError.self) { _ = try store.unpack(try store.image("dev:latest")) }
    }

    @Test func deviceNodesRefusedForUnprivilegedUnpacker() throws {
        // The same rule, exercised as root too by telling the unpacker it is not root.
        let tmp = TempDir("dev2")
        defer { tmp.cleanup() }
        var dev = TarEntry(path: "dev/null", kind: .characterDevice)
        dev.devMajor = 1
        dev.devMinor = 3
        let tar = try makeTar([(dev, [])])
        let u = try LayerUnpacker(directory: tmp.sub("snap"), limits: UnpackLimits(), isRoot: false)
        do {
            try u.apply(TarReader(BufferedReader(BytesSource(tar))))
            Issue.record("device node accepted")
        } catch let ImageStoreError.hostileEntry(entry, reason) {
            #expect(entry == "dev/null")
            #expect(reason.contains("root"))
        }
    }

    @Test func absoluteSymlinkTargetsAreKeptAsData() throws {
        // A symlink to /etc is fine as long as nothing is written through it.
        let tmp = TempDir("abslink")
        defer { tmp.cleanup() }
        let store = try ImageStore(root: tmp.sub("store"))
        try storeImage(store, name: "ok:latest", layers: [try makeTar([symlink("etc", to: "/etc"), dir("d"), symlink("d/up", to: "../x")])])
        let paths = try store.unpack(try store.image("ok:latest"))
        let target = try FileManager.default.destinationOfSymbolicLink(atPath: "\(paths[0])/etc")
        #expect(target == "/etc")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(paths[0])/d/up") == "../x")
    }

    @Test func repeatedDirectoryEntryUpdatesMetadata() throws {
        let tmp = TempDir("dirdup")
        defer { tmp.cleanup() }
        let store = try ImageStore(root: tmp.sub("store"))
        try storeImage(store, name: "ok:latest", layers: [try makeTar([file("d/f"), dir("d", mode: 0o700), dir("d", mode: 0o750)])])
        let paths = try store.unpack(try store.image("ok:latest"))
        #expect((lstatMode("\(paths[0])/d") ?? 0) & 0o7777 == 0o750)
    }
}
