import Foundation
import Testing
@testable import ContainerRuntime
import LinuxSystem
import OCI

/// The root as an overlay over image snapshot directories, mounted inside the container's
/// own mount namespace: writes land in the container's upper dir, never in the snapshots.
@Suite("Runtime overlay root", .serialized, .enabled(if: isRoot, "\(rootOnly)"))
struct RuntimeOverlayTests {
    @Test("writes go to the upper dir; the snapshots and the host mount table stay untouched")
    func writableOverlay() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let bundle = try sandbox.bundle(["sh", "-c", "echo hello > /written && cat /written && ls /extra"]) { spec in
            spec.root?.readonly = false
        }
        // Two snapshots: busybox below, one extra file above.
        let extra = sandbox.directory + "/snapshot-extra"
        try FileManager.default.createDirectory(atPath: extra + "/extra", withIntermediateDirectories: true)
        try Data("x".utf8).write(to: URL(fileURLWithPath: extra + "/extra/file"))
        var options = sandbox.options
        options.overlay = OverlayRootfs(lowerDirs: [extra, bundle + "/rootfs"],
                                        upperDir: sandbox.directory + "/upper", workDir: sandbox.directory + "/work")
        options.containerLog = sandbox.directory + "/overlay.log"
        let exit = try sandbox.runtime.run(id: "overlay", bundle: bundle, options: options)
        let log = try CRILogRecord.parse(String(contentsOfFile: options.containerLog ?? "", encoding: .utf8))
        #expect(exit.exitCode == 0, "\(log)")
        #expect(CRILogRecord.text(log, stream: "stdout") == "hello\nfile\n")
        #expect(try String(contentsOfFile: sandbox.directory + "/upper/written", encoding: .utf8) == "hello\n")
        #expect(!Files.exists(bundle + "/rootfs/written") && !Files.exists(extra + "/written"))
        let mounts = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        #expect(!mounts.contains("upperdir=" + sandbox.directory))
    }

    @Test("without an upper dir the overlay root is read-only")
    func readOnlyOverlay() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let bundle = try sandbox.bundle(["sh", "-c", "if touch /written 2>/dev/null; then echo rw; else echo ro; fi"]) { spec in
            spec.root?.readonly = false
        }
        var options = sandbox.options
        options.overlay = OverlayRootfs(lowerDirs: [bundle + "/rootfs"])
        options.containerLog = sandbox.directory + "/ro.log"
        _ = try sandbox.runtime.run(id: "ro-overlay", bundle: bundle, options: options)
        let log = try CRILogRecord.parse(String(contentsOfFile: options.containerLog ?? "", encoding: .utf8))
        #expect(CRILogRecord.text(log, stream: "stdout") == "ro\n")
    }
}
