import Foundation
import Testing
@testable import ContainerRuntime
import LinuxSystem
import OCI

/// Bundles whose rootfs holds symlinks pointing out of it: mount destinations resolve inside
/// the rootfs as if it were "/", so a mount lands inside or is refused, never on the host.
@Suite("Runtime hostile bundles", .serialized, .enabled(if: isRoot, "\(rootOnly)"))
struct RuntimeHostileBundleTests {
    @Test("a bind mount through an absolute symlink to /etc lands inside the rootfs")
    func absoluteSymlinkStaysInside() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let source = sandbox.directory + "/payload"
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        try "inside\n".write(toFile: source + "/marker", atomically: true, encoding: .utf8)
        let name = "skiff-escape-" + UUID().uuidString.prefix(8).lowercased()
        defer { rmdir("/etc/" + name) }
        let bundle = try sandbox.bundle(["cat", "/etc/\(name)/marker"]) { spec in
            spec.mounts?.append(.init(destination: "/hostile/\(name)", type: "bind", source: source, options: ["rbind", "ro"]))
        }
        try FileManager.default.createSymbolicLink(atPath: bundle + "/rootfs/hostile", withDestinationPath: "/etc")
        let result = try sandbox.run("abs", bundle: bundle)
        #expect(result.exit.exitCode == 0)
        #expect(result.stdout == "inside\n", "the mount is at the rootfs's /etc, seen inside the container")
        #expect(!FileManager.default.fileExists(atPath: "/etc/" + name), "nothing was created on the host's /etc")
        #expect(FileManager.default.fileExists(atPath: bundle + "/rootfs/etc/" + name), "the mount point was made inside the rootfs")
    }

    @Test("a relative symlink climbing out with .. is clamped at the rootfs; tmpfs and files too")
    func relativeSymlinkIsClamped() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        // Where the link would lead if followed on the host: a fresh directory we can check.
        let outside = sandbox.directory + "/outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        let file = sandbox.directory + "/file-payload"
        try "file\n".write(toFile: file, atomically: true, encoding: .utf8)
        // The container sees the tmpfs where the clamped link leads (under its own /tmp).
        let seen = outside.replacingOccurrences(of: "//", with: "/")
        let bundle = try sandbox.bundle(["sh", "-c", "cat /mnt/f; grep -q ' \(seen)/t tmpfs ' /proc/self/mounts && echo tmpfs-inside"]) { spec in
            spec.mounts?.append(.init(destination: "/up/t", type: "tmpfs", source: "tmpfs", options: ["nosuid"]))
            spec.mounts?.append(.init(destination: "/up/f", type: "bind", source: file, options: ["bind", "ro"]))
        }
        let climb = String(repeating: "../", count: 12) + String(outside.dropFirst())
        try FileManager.default.createSymbolicLink(atPath: bundle + "/rootfs/up", withDestinationPath: climb)
        // Inside the rootfs the link resolves to <rootfs>/<outside>; make /mnt point there too so the
        // container can look at what was mounted.
        try FileManager.default.removeItem(atPath: bundle + "/rootfs/mnt")
        try FileManager.default.createSymbolicLink(atPath: bundle + "/rootfs/mnt", withDestinationPath: outside)
        let result = try sandbox.run("rel", bundle: bundle)
        #expect(result.exit.exitCode == 0, "stderr: \(result.stderr)")
        #expect(result.stdout == "file\ntmpfs-inside\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside).isEmpty, "nothing was created outside the rootfs")
    }

    @Test("a destination whose symlinks loop is refused with an error naming it")
    func loopIsRefused() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let bundle = try sandbox.bundle(["true"]) { spec in
            spec.mounts?.append(.init(destination: "/loop/x", type: "tmpfs", source: "tmpfs"))
        }
        try FileManager.default.createSymbolicLink(atPath: bundle + "/rootfs/loop", withDestinationPath: "/loop")
        let error = #expect(throws: RuntimeError.self) {
            _ = try sandbox.runtime.run(id: "loop", bundle: bundle, options: sandbox.options)
        }
        #expect("\(error.map { "\($0)" } ?? "")".contains("/loop/x"), "\(String(describing: error))")
        #expect(sandbox.runtime.list().isEmpty)
    }
}
