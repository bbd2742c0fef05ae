import Foundation
@testable import ImageStore
import OCI
import Testing

/// The `skiff` executable built beside the test bundle (`swift build --build-tests` builds it).
let skiffBinary: String? = {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var dir = URL(fileURLWithPath: exe).deletingLastPathComponent()
    // The test runner lives in <bin>/skiffPackageTests.xctest (a file on Linux).
    for _ in 0..<3 {
        let candidate = dir.appendingPathComponent("skiff").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        dir = dir.deletingLastPathComponent()
    }
    return nil
}()

/// The repository root, from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

@Suite(.enabled(if: skiffBinary != nil, "the skiff executable is not built beside the tests (swift build --build-tests)"))
struct CLITests {
    /// `Scripts/build-images` twice: the same archives, byte for byte; then the images load,
    /// list, inspect, save and remove through `skiff image`.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/bin/busybox"), "needs busybox-static"))
    func buildImagesIsReproducibleAndTheCLIWorks() async throws {
        let tmp = TempDir("cli")
        defer { tmp.cleanup() }
        let skiff = try #require(skiffBinary)
        var env = ProcessInfo.processInfo.environment
        env["SKIFF"] = skiff
        var archives: [[UInt8]] = []
        for out in ["one", "two"] {
            env["OUT"] = "\(tmp.path)/\(out)"
            let (rc, log) = try await runAsync(["/usr/bin/env"] + env.map { "\($0)=\($1)" } + ["\(repositoryRoot)/Scripts/build-images"])
            #expect(rc == 0, "\(log)")
            archives.append(try FS.readFile("\(tmp.path)/\(out)/hello.oci.tar") + FS.readFile("\(tmp.path)/\(out)/busybox.oci.tar"))
        }
        #expect(archives[0] == archives[1], "building twice gives the same archives")

        let root = "\(tmp.path)/store"
        func skiffImage(_ args: [String]) async throws -> String {
            let (rc, out) = try await runAsync([skiff, "image"] + args + ["--root", root])
            #expect(rc == 0, "skiff image \(args.joined(separator: " ")): \(out)")
            return out
        }
        _ = try await skiffImage(["load", "\(tmp.path)/one/busybox.oci.tar"])
        let loaded = try await skiffImage(["load", "\(tmp.path)/one/hello.oci.tar"])
        #expect(loaded.contains("docker.io/library/hello:latest"))
        let ls = try await skiffImage(["ls", "--quiet"])
        #expect(ls.split(separator: "\n") == ["docker.io/library/busybox:latest", "docker.io/library/hello:latest"])

        let inspect = try await skiffImage(["inspect", "hello"])
        #expect(inspect.contains("/entrypoint.sh"))
        let lower = try await skiffImage(["unpack", "hello:latest"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let dirs = lower.split(separator: ":").map(String.init)
        #expect(dirs.count == 2)
        #expect(FS.exists("\(dirs[0])/www/cgi-bin/hostname"), "top layer first")
        #expect(FS.exists("\(dirs[1])/bin/busybox"))
        let busyboxLower = try await skiffImage(["unpack", "busybox"]).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(busyboxLower == dirs[1], "the busybox layer is shared, unpacked once")

        _ = try await skiffImage(["save", "hello:latest", "-o", "\(tmp.path)/saved.tar"])
        let again = try ImageStore(root: "\(tmp.path)/store2")
        #expect(try again.load(archive: "\(tmp.path)/saved.tar").first?.name == "docker.io/library/hello:latest")

        _ = try await skiffImage(["rm", "hello:latest"])
        #expect(try await skiffImage(["ls", "-q"]).split(separator: "\n") == ["docker.io/library/busybox:latest"])
        let pruned = try await skiffImage(["prune", "--snapshots"])
        #expect(pruned.contains("1 snapshots"), "\(pruned)")

        // Errors name the problem and exit non-zero.
        let (rc, out) = try await runAsync([skiff, "image", "inspect", "nothing:here", "--root", root])
        #expect(rc != 0)
        #expect(out.contains("nothing:here"), "\(out)")
    }
}
