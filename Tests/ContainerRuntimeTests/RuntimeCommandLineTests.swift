import Foundation
import Testing
@testable import ContainerRuntime
import LinuxSystem
import CLinuxSystem
import OCI

/// `skiff runtime` as scripts written for runc call it. run, create, start and delete are
/// parsed by a hand-written fast path before ArgumentParser: these tests hold that path to
/// the same flags and answers, and check that anything it does not know falls through to
/// ArgumentParser's own errors.
@Suite("skiff runtime command line", .serialized, .enabled(if: isRoot, "\(rootOnly)"))
struct RuntimeCommandLineTests {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the built skiff binary to completion, capturing both streams in files: a created
    /// or detached container inherits them and keeps running, so a pipe would never end.
    static func skiff(_ arguments: [String]) throws -> Result {
        let skiff = try #require(RuntimeLifecycleTests.skiffBinary(), "the skiff executable must be built next to the tests (swift build)")
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-cli-\(UUID().uuidString)")
        let outPath = base.path + ".out", errPath = base.path + ".err"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: skiff)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        try process.run()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: try String(contentsOfFile: outPath, encoding: .utf8),
                      stderr: try String(contentsOfFile: errPath, encoding: .utf8))
    }

    static func waitForStatus(_ sandbox: RuntimeSandbox, _ id: String, _ wanted: ContainerState.Status) -> Bool {
        for _ in 0..<500 {
            if (try? sandbox.runtime.inspect(id: id).status) == wanted { return true }
            usleep(10_000)
        }
        return false
    }

    @Test("create with --root=, -b and --pid-file; start; delete -f: every spelling runc scripts use")
    func createStartDeleteSpellings() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let bundle = try sandbox.bundle(["sleep", "30"]) { spec in
            spec.linux?.cgroupsPath = sandbox.cgroupParent + "/cli"
        }
        let root = sandbox.runtime.state.root
        let pidFile = sandbox.directory + "/cli.pid"
        let created = try Self.skiff(["runtime", "create", "--root=\(root)", "-b", bundle, "--pid-file", pidFile, "cli"])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(try sandbox.runtime.inspect(id: "cli").status == .created)
        let pid = try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(Int32(pid) == (try sandbox.runtime.inspect(id: "cli").record.pid))

        let started = try Self.skiff(["runtime", "start", "--root", root, "cli"])
        #expect(started.status == 0, "\(started.stderr)")
        #expect(Self.waitForStatus(sandbox, "cli", .running))

        // A running container is not deleted without --force; the error goes to stderr, exit 1.
        let refused = try Self.skiff(["runtime", "delete", "--root", root, "cli"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("skiff runtime:"), "\(refused.stderr)")
        #expect(try sandbox.runtime.inspect(id: "cli").status == .running)

        let deleted = try Self.skiff(["runtime", "delete", "-f", "--root", root, "cli"])
        #expect(deleted.status == 0, "\(deleted.stderr)")
        #expect(sandbox.runtime.list().isEmpty)
    }

    @Test("run -d detaches with the container running; run in the foreground returns its exit code")
    func runDetachedAndForeground() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let root = sandbox.runtime.state.root
        let detachedBundle = try sandbox.bundle(["sleep", "30"]) { spec in
            spec.linux?.cgroupsPath = sandbox.cgroupParent + "/detached"
        }
        let detached = try Self.skiff(["runtime", "run", "-d", "--root", root, "--bundle=\(detachedBundle)", "detached"])
        #expect(detached.status == 0, "\(detached.stderr)")
        #expect(try sandbox.runtime.inspect(id: "detached").status == .running)
        try sandbox.runtime.kill(id: "detached", signal: SIGKILL)
        #expect(Self.waitForStatus(sandbox, "detached", .stopped))
        try sandbox.runtime.delete(id: "detached")

        let exitingBundle = try sandbox.bundle(["sh", "-c", "exit 5"]) { spec in
            spec.linux?.cgroupsPath = sandbox.cgroupParent + "/exiting"
        }
        let foreground = try Self.skiff(["runtime", "run", "--root", root, "--bundle", exitingBundle, "exiting"])
        #expect(foreground.status == 5, "\(foreground.stderr)")
        #expect(sandbox.runtime.list().isEmpty)
    }

    @Test("unknown flags, a missing id and a missing value fall through to ArgumentParser's errors")
    func fallsBackToArgumentParser() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let root = sandbox.runtime.state.root
        let unknown = try Self.skiff(["runtime", "create", "--root", root, "--bogus", "x"])
        #expect(unknown.status == 64, "\(unknown.stderr)")
        #expect(unknown.stderr.contains("--bogus"), "\(unknown.stderr)")
        let missingID = try Self.skiff(["runtime", "start", "--root", root])
        #expect(missingID.status == 64, "\(missingID.stderr)")
        let missingValue = try Self.skiff(["runtime", "delete", "x", "--root"])
        #expect(missingValue.status == 64, "\(missingValue.stderr)")
        #expect(sandbox.runtime.list().isEmpty)
    }

    @Test("a runtime error in the fast path is one line on stderr and in --log as JSON, exit 1")
    func errorsAreReported() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let log = sandbox.directory + "/runtime.log"
        let result = try Self.skiff(["runtime", "start", "--log", log, "--root", sandbox.runtime.state.root, "absent"])
        #expect(result.status == 1)
        #expect(result.stderr == "skiff runtime: container absent does not exist\n", "\(result.stderr)")
        let logged = try String(contentsOfFile: log, encoding: .utf8)
        #expect(logged.contains("\"level\":\"error\"") && logged.contains("container absent does not exist"), "\(logged)")
    }
}
