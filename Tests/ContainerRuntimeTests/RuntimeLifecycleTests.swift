import Foundation
import Testing
@testable import ContainerRuntime
import LinuxSystem
import CLinuxSystem
import OCI

/// create/start/state/kill/delete, exec, CRI logs, and containers outliving their starter.
@Suite("Runtime lifecycle", .serialized, .enabled(if: isRoot, "\(rootOnly)"))
struct RuntimeLifecycleTests {
    @Test("create waits for start; state, kill and delete follow the runtime spec")
    func lifecycle() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let bundle = try sandbox.bundle(["sleep", "30"])
        let record = try sandbox.runtime.create(id: "life", bundle: bundle, options: sandbox.options)
        #expect(try sandbox.runtime.inspect(id: "life").status == .created)
        // Not yet exec'd: the init is still our code waiting on the fifo, not sleep.
        #expect(try String(contentsOfFile: "/proc/\(record.pid)/comm", encoding: .utf8) != "sleep\n")
        try sandbox.runtime.start(id: "life")
        #expect(try sandbox.runtime.inspect(id: "life").status == .running)
        #expect(try sandbox.runtime.processes(id: "life") == [record.pid])
        #expect(throws: RuntimeError.self) { try sandbox.runtime.delete(id: "life") }
        try sandbox.runtime.kill(id: "life", signal: SIGKILL)
        let exit = try #require(sandbox.runtime.waitForExit(id: "life", record: record, timeout: .seconds(10)))
        #expect(exit.signal == SIGKILL && exit.exitCode == 137)
        let info = try sandbox.runtime.inspect(id: "life")
        #expect(info.status == .stopped && info.state.pid == 0)
        try sandbox.runtime.delete(id: "life")
        #expect(throws: RuntimeError.self) { try sandbox.runtime.inspect(id: "life") }
    }

    @Test("stop sends SIGTERM, then SIGKILL after the grace period")
    func stopWithGrace() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let polite = try sandbox.bundle(["sh", "-c", "trap 'exit 3' TERM; touch /tmp/ready; while :; do sleep 0.05; done"])
        let record = try sandbox.runtime.create(id: "polite", bundle: polite, options: sandbox.options)
        try sandbox.runtime.start(id: "polite")
        // Signal only once the trap is installed (pid 1 ignores SIGTERM without a handler).
        for _ in 0..<500 where !Files.exists("/proc/\(record.pid)/root/tmp/ready") { usleep(10_000) }
        #expect(try sandbox.runtime.stop(id: "polite", grace: .seconds(5))?.exitCode == 3)
        // pid 1 without a handler ignores SIGTERM: only SIGKILL ends it.
        let stubborn = try sandbox.bundle(["sleep", "30"])
        try sandbox.runtime.create(id: "stubborn", bundle: stubborn, options: sandbox.options)
        try sandbox.runtime.start(id: "stubborn")
        #expect(try sandbox.runtime.stop(id: "stubborn", grace: .milliseconds(300))?.signal == SIGKILL)
    }

    @Test("exec joins the container's namespaces and cgroup")
    func execJoinsNamespaces() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let record = try sandbox.runtime.create(id: "host", bundle: try sandbox.bundle(["sleep", "30"]), options: sandbox.options)
        try sandbox.runtime.start(id: "host")
        let kinds = ["pid", "net", "ipc", "uts", "mnt", "cgroup"]
        let script = kinds.map { "readlink /proc/self/ns/\($0)" }.joined(separator: "; ") + "; echo pid=$$"
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let process = try sandbox.runtime.execProcess(id: "host", args: ["sh", "-c", script])
        let exit = try sandbox.runtime.exec(id: "host", process: process, stdio: ExecStdio(stdout: fds[1]))
        close(fds[1])
        let output = String(decoding: FileHandle(fileDescriptor: fds[0], closeOnDealloc: true).readDataToEndOfFile(), as: UTF8.self)
        #expect(exit.exitCode == 0)
        let lines = output.split(separator: "\n").map(String.init)
        let expected = kinds.map { Files.readLink("/proc/\(record.pid)/ns/\($0)") ?? "?" }
        #expect(Array(lines.prefix(kinds.count)) == expected)
        #expect(expected != kinds.map { Files.readLink("/proc/self/ns/\($0)") ?? "?" })
        // Inside the container's pid namespace: neither 1 (sleep) nor a host pid.
        let pid = Int(lines.last?.dropFirst(4) ?? "") ?? -1
        #expect(pid > 1 && pid < 100, "exec'd shell has pid \(pid)")
        let status = try sandbox.runtime.exec(id: "host", process: try sandbox.runtime.execProcess(id: "host", args: ["sh", "-c", "exit 9"]))
        #expect(status.exitCode == 9)
    }

    @Test("logs are in the CRI format, long lines split into partial records")
    func criLogs() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let bundle = try sandbox.bundle(["sh", "-c", "echo hello; echo oops >&2; echo 0123456789abcdefXYZ; printf tail"])
        var options = sandbox.options
        let log = sandbox.directory + "/cri.log"
        options.containerLog = log
        options.logLineMax = 8
        _ = try sandbox.runtime.run(id: "logs", bundle: bundle, options: options)
        let records = try CRILogRecord.parse(String(contentsOfFile: log, encoding: .utf8))
        let stdout = records.filter { $0.stream == "stdout" }
        #expect(stdout.map(\.content) == ["hello", "01234567", "89abcdef", "XYZ", "tail"])
        #expect(stdout.map(\.partial) == [false, true, true, false, false])
        #expect(records.filter { $0.stream == "stderr" }.map(\.content) == ["oops"])
    }

    @Test("with a terminal the process gets a pty of its own devpts; the monitor logs its output")
    func terminal() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let bundle = try sandbox.bundle(["sh", "-c", "tty; [ -t 0 ] && [ -t 1 ] && echo interactive"]) { spec in
            spec.process?.terminal = true
        }
        let result = try sandbox.run("tty", bundle: bundle)
        #expect(result.exit.exitCode == 0)
        // A pty turns \n into \r\n.
        let text = String(String.UnicodeScalarView(result.stdout.unicodeScalars.filter { $0 != "\r" }))
        #expect(text == "/dev/pts/0\ninteractive\n")
    }

    @Test("a container outlives the killed skiff process that started it; a fresh one reports its exit")
    func outlivesItsStarter() throws {
        let skiff = try #require(Self.skiffBinary(), "the skiff executable must be built next to the tests (swift build)")
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let bundle = try sandbox.bundle(["sh", "-c", "trap 'exit 7' TERM; touch /tmp/ready; while :; do sleep 0.05; done"]) { spec in
            spec.linux?.cgroupsPath = sandbox.cgroupParent + "/orphan"
        }
        let root = sandbox.runtime.state.root
        let starter = try Self.spawn(skiff, ["runtime", "run", "--root", root, "--bundle", bundle,
                                             "--container-log", sandbox.directory + "/orphan.log", "orphan"])
        var running = false
        for _ in 0..<500 where !running {
            running = (try? sandbox.runtime.inspect(id: "orphan").status) == .running
            if !running { usleep(10_000) }
        }
        #expect(running)
        let pid = try sandbox.runtime.inspect(id: "orphan").record.pid
        for _ in 0..<500 where !Files.exists("/proc/\(pid)/root/tmp/ready") { usleep(10_000) }
        kill(starter, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(starter, &status, 0)
        usleep(100_000)
        #expect(try Self.skiffOutput(skiff, ["runtime", "state", "--root", root, "orphan"]).contains("\"status\" : \"running\""))
        _ = try Self.skiffOutput(skiff, ["runtime", "kill", "--root", root, "orphan", "TERM"])
        var state = ""
        for _ in 0..<500 where !state.contains("stopped") {
            state = try Self.skiffOutput(skiff, ["runtime", "state", "--root", root, "orphan"])
            usleep(10_000)
        }
        #expect(state.contains("\"status\" : \"stopped\""))
        #expect(state.contains("\"exitCode\" : 7"))
        _ = try Self.skiffOutput(skiff, ["runtime", "delete", "--root", root, "orphan"])
    }

    @Test("skiff runtime run passes SIGTERM on to the container and exits with its code")
    func runForwardsSignals() throws {
        let skiff = try #require(Self.skiffBinary(), "the skiff executable must be built next to the tests (swift build)")
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let bundle = try sandbox.bundle(["sh", "-c", "trap 'exit 3' TERM; touch /tmp/ready; while :; do sleep 0.05; done"]) { spec in
            spec.linux?.cgroupsPath = sandbox.cgroupParent + "/fwd"
        }
        let root = sandbox.runtime.state.root
        let starter = try Self.spawn(skiff, ["runtime", "run", "--root", root, "--bundle", bundle,
                                             "--container-log", sandbox.directory + "/fwd.log", "fwd"])
        var pid: Int32 = 0
        for _ in 0..<500 where pid == 0 {
            pid = (try? sandbox.runtime.inspect(id: "fwd"))?.record.pid ?? 0
            if pid == 0 { usleep(10_000) }
        }
        for _ in 0..<500 where !Files.exists("/proc/\(pid)/root/tmp/ready") { usleep(10_000) }
        kill(starter, SIGTERM)
        var status: Int32 = 0
        _ = waitpid(starter, &status, 0)
        #expect(csys_wifexited(status) != 0 && csys_wexitstatus(status) == 3)
    }

    static func skiffBinary() -> String? {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [dir.appendingPathComponent("skiff"), dir.deletingLastPathComponent().appendingPathComponent("skiff")] {
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate.path }
        }
        return nil
    }

    /// posix_spawn + waitpid by pid: the test owns these children outright.
    static func spawn(_ path: String, _ arguments: [String], stdout: Int32? = nil) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let stdout { posix_spawn_file_actions_adddup2(&actions, stdout, 1) }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard rc == 0 else { throw SystemError(operation: "posix_spawn \(path)", errno: rc) }
        return pid
    }

    static func skiffOutput(_ skiff: String, _ arguments: [String]) throws -> String {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw SystemError.current("pipe") }
        let pid = try spawn(skiff, arguments, stdout: fds[1])
        close(fds[1])
        let data = FileHandle(fileDescriptor: fds[0], closeOnDealloc: true).readDataToEndOfFile()
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
        return String(decoding: data, as: UTF8.self)
    }
}
