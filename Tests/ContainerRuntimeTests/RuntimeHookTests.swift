import Foundation
import Testing
@testable import ContainerRuntime
import LinuxSystem
import OCI

/// OCI lifecycle hooks with small shell hooks that record what they received: their args,
/// env, the state JSON on stdin and the mount namespace they ran in.
@Suite("Runtime hooks", .serialized, .enabled(if: isRoot, "\(rootOnly)"))
struct RuntimeHookTests {
    /// Appends its name to `<dir>/order` and writes what it saw to `<dir>/<name>`.
    /// args: <dir> <name> [exit code]
    static let recorder = """
    #!/bin/sh
    state=$(cat)
    echo "$2" >> "$1/order"
    { echo "args=$*"; echo "env=$HOOK_VAR"; echo "mnt=$(readlink /proc/self/ns/mnt)"; echo "state=$state"; } > "$1/$2"
    echo "hook $2 says hello"
    exit ${3:-0}
    """

    /// A spec hook from its fields (the OCI types decode only, as config.json does).
    static func hook(_ path: String, _ args: [String], env: [String] = [], timeout: Int? = nil) throws -> RuntimeSpec.Hook {
        var object: [String: Any] = ["path": path, "args": args, "env": env]
        if let timeout { object["timeout"] = timeout }
        return try JSONDecoder().decode(RuntimeSpec.Hook.self, from: JSONSerialization.data(withJSONObject: object))
    }

    static func hooks(_ points: [String: [RuntimeSpec.Hook]]) throws -> RuntimeSpec.Hooks {
        let data = try JSONEncoder().encode(points)
        return try JSONDecoder().decode(RuntimeSpec.Hooks.self, from: data)
    }

    /// The recorder on the host (`host`) and inside the bundle's rootfs at /hook.sh, and a host
    /// directory the container sees at /record.
    struct Setup {
        let record: String
        let host: String
        func recorded(_ name: String) throws -> [String: String] {
            let text = try String(contentsOfFile: record + "/" + name, encoding: .utf8)
            var fields: [String: String] = [:]
            for line in text.split(separator: "\n") {
                let parts = line.split(separator: "=", maxSplits: 1)
                fields[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
            }
            return fields
        }
        func order() -> [String] {
            ((try? String(contentsOfFile: record + "/order", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }
    }

    static func setup(_ sandbox: RuntimeSandbox, name: String) throws -> Setup {
        let record = sandbox.directory + "/record-" + name
        try FileManager.default.createDirectory(atPath: record, withIntermediateDirectories: true)
        let host = sandbox.directory + "/hook-" + name + ".sh"
        try recorder.write(toFile: host, atomically: true, encoding: .utf8)
        chmod(host, 0o755)
        return Setup(record: record, host: host)
    }

    static func state(_ fields: [String: String]) throws -> ContainerState {
        try JSONDecoder().decode(ContainerState.self, from: Data((fields["state"] ?? "").utf8))
    }

    @Test("every hook point runs in order, in the right namespace, with args, env and state")
    func allPointsInOrder() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let setup = try Self.setup(sandbox, name: "all")
        let env = ["PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOOK_VAR=from-spec"]
        var points: [String: [RuntimeSpec.Hook]] = [:]
        for point in ["prestart", "createRuntime", "createContainer", "poststart", "poststop"] {
            points[point] = [try Self.hook(setup.host, ["recorder", setup.record, point], env: env, timeout: 10)]
        }
        // startContainer resolves its path in the container: the copy in the rootfs, writing to /record.
        points["startContainer"] = [try Self.hook("/hook.sh", ["recorder", "/record", "startContainer"], env: env)]
        let hooks = try Self.hooks(points)
        let bundle = try sandbox.bundle(["true"]) { spec in
            spec.hooks = hooks
            spec.annotations = ["org.example/hooked": "yes"]
            spec.mounts?.append(.init(destination: "/record", type: "bind", source: setup.record, options: ["rbind", "rw"]))
        }
        try Self.recorder.write(toFile: bundle + "/rootfs/hook.sh", atomically: true, encoding: .utf8)
        chmod(bundle + "/rootfs/hook.sh", 0o755)

        let result = try sandbox.run("hooks", bundle: bundle)
        #expect(result.exit.exitCode == 0)
        #expect(setup.order() == ["prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"])

        let hostMount = Files.readLink("/proc/self/ns/mnt")
        let prestart = try setup.recorded("prestart")
        #expect(prestart["args"] == "\(setup.record) prestart")
        #expect(prestart["env"] == "from-spec")
        #expect(prestart["mnt"] == hostMount)
        let creating = try Self.state(prestart)
        #expect(creating.id == "hooks" && creating.status == .creating && creating.bundle == bundle)
        #expect((creating.pid ?? 0) > 1, "runtime-side hooks see the host pid")
        #expect(creating.annotations?["org.example/hooked"] == "yes")
        #expect(try Self.state(setup.recorded("createRuntime")).status == .creating)

        let createContainer = try setup.recorded("createContainer")
        #expect(createContainer["mnt"] != hostMount, "createContainer runs in the container's mount namespace")
        #expect(try Self.state(createContainer).pid == 1)
        let startContainer = try setup.recorded("startContainer")
        #expect(startContainer["mnt"] == createContainer["mnt"])
        #expect(try Self.state(startContainer).status == .created)

        let poststart = try Self.state(setup.recorded("poststart"))
        #expect(poststart.status == .running && poststart.pid == creating.pid)
        #expect(try setup.recorded("poststart")["mnt"] == hostMount)
        #expect(try Self.state(setup.recorded("poststop")).status == .stopped)
        // Hooks' output is theirs, not the container's.
        #expect(!result.stdout.contains("hello"))
    }

    @Test("create/start/delete run poststart on start and poststop on delete")
    func separateCommands() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let setup = try Self.setup(sandbox, name: "split")
        let hooks = try Self.hooks([
            "poststart": [try Self.hook(setup.host, ["recorder", setup.record, "poststart"])],
            "poststop": [try Self.hook(setup.host, ["recorder", setup.record, "poststop"])],
        ])
        let bundle = try sandbox.bundle(["sleep", "30"]) { $0.hooks = hooks }
        try sandbox.runtime.create(id: "split", bundle: bundle, options: sandbox.options)
        #expect(setup.order().isEmpty)
        try sandbox.runtime.start(id: "split")
        #expect(setup.order() == ["poststart"])
        try sandbox.runtime.delete(id: "split", force: true)
        #expect(setup.order() == ["poststart", "poststop"])
    }

    @Test("a failing createRuntime hook fails create, names the hook, removes the container and runs poststop")
    func failingCreateRuntime() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let setup = try Self.setup(sandbox, name: "fail")
        let hooks = try Self.hooks([
            "createRuntime": [try Self.hook(setup.host, ["recorder", setup.record, "createRuntime", "3"])],
            "createContainer": [try Self.hook(setup.host, ["recorder", setup.record, "createContainer"])],
            "poststop": [try Self.hook(setup.host, ["recorder", setup.record, "poststop"])],
        ])
        let bundle = try sandbox.bundle(["true"]) { $0.hooks = hooks }
        let error = #expect(throws: RuntimeError.self) {
            try sandbox.runtime.create(id: "fail", bundle: bundle, options: sandbox.options)
        }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("createRuntime hook 0") && text.contains("exited 3") && text.contains("hook createRuntime says hello"), "\(text)")
        #expect(sandbox.runtime.list().isEmpty)
        #expect(setup.order() == ["createRuntime", "poststop"])
    }

    @Test("a failing createContainer or startContainer hook fails run with its message")
    func failingContainerHooks() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let setup = try Self.setup(sandbox, name: "inside")
        for point in ["createContainer", "startContainer"] {
            let path = point == "createContainer" ? setup.host : "/hook.sh"
            // createContainer still sees the host's paths: it records into the sandbox; startContainer into the container's /tmp.
            let directory = point == "createContainer" ? setup.record : "/tmp"
            let hooks = try Self.hooks([point: [try Self.hook(path, ["recorder", directory, point, "4"], env: ["PATH=/bin:/usr/bin"])]])
            let bundle = try sandbox.bundle(["true"]) { $0.hooks = hooks }
            try Self.recorder.write(toFile: bundle + "/rootfs/hook.sh", atomically: true, encoding: .utf8)
            chmod(bundle + "/rootfs/hook.sh", 0o755)
            let error = #expect(throws: RuntimeError.self) {
                _ = try sandbox.runtime.run(id: "in-\(point)", bundle: bundle, options: sandbox.options)
            }
            let text = error.map { "\($0)" } ?? ""
            #expect(text.contains("\(point) hook 0") && text.contains("exited 4"), "\(text)")
            #expect(sandbox.runtime.list().isEmpty)
        }
    }

    @Test("create then start: a failing startContainer hook is start's error and the container stops")
    func failingStartContainerHookFailsStart() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let hooks = try Self.hooks(["startContainer": [try Self.hook("/hook.sh", ["recorder", "/tmp", "startContainer", "6"],
                                                                     env: ["PATH=/bin:/usr/bin"])]])
        let bundle = try sandbox.bundle(["sleep", "30"]) { $0.hooks = hooks }
        try Self.recorder.write(toFile: bundle + "/rootfs/hook.sh", atomically: true, encoding: .utf8)
        chmod(bundle + "/rootfs/hook.sh", 0o755)
        _ = try sandbox.runtime.create(id: "start-hook", bundle: bundle, options: sandbox.options)
        let error = #expect(throws: RuntimeError.self) { try sandbox.runtime.start(id: "start-hook") }
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("startContainer hook 0") && text.contains("exited 6"), "\(text)")
        // The init exited instead of running `sleep 30`.
        var status = try sandbox.runtime.inspect(id: "start-hook").status
        for _ in 0..<200 where status != .stopped {
            usleep(10_000)
            status = try sandbox.runtime.inspect(id: "start-hook").status
        }
        #expect(status == .stopped)
        try sandbox.runtime.delete(id: "start-hook", force: true)
    }

    @Test("a hook past its timeout is killed and fails; poststart failures are only warnings")
    func timeoutAndWarnings() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let setup = try Self.setup(sandbox, name: "slow")
        let slow = try Self.hooks(["prestart": [try Self.hook("/bin/sleep", ["sleep", "60"], timeout: 1)]])
        let slowBundle = try sandbox.bundle(["true"]) { $0.hooks = slow }
        let timedOut = #expect(throws: RuntimeError.self) {
            _ = try sandbox.runtime.run(id: "slow", bundle: slowBundle, options: sandbox.options)
        }
        #expect("\(timedOut.map { "\($0)" } ?? "")".contains("prestart hook 0 (/bin/sleep) timed out after 1 s"))
        let missing = try Self.hooks(["createRuntime": [try Self.hook("/nonexistent/hook", ["hook"])]])
        let missingBundle = try sandbox.bundle(["true"]) { $0.hooks = missing }
        let notStarted = #expect(throws: RuntimeError.self) {
            _ = try sandbox.runtime.run(id: "missing", bundle: missingBundle, options: sandbox.options)
        }
        let text = notStarted.map { "\($0)" } ?? ""
        #expect(text.contains("could not start") && text.contains("/nonexistent/hook"), "\(text)")
        let warning = try Self.hooks(["poststart": [try Self.hook(setup.host, ["recorder", setup.record, "poststart", "5"])]])
        let warnedBundle = try sandbox.bundle(["true"]) { $0.hooks = warning }
        let exit = try sandbox.runtime.run(id: "warned", bundle: warnedBundle, options: sandbox.options)
        #expect(exit.exitCode == 0)
        #expect(setup.order() == ["poststart"])
        let invalid = try Self.hooks(["poststop": [try Self.hook(setup.host, ["x"], timeout: 0)]])
        let invalidBundle = try sandbox.bundle(["true"]) { $0.hooks = invalid }
        #expect(throws: RuntimeError.self) {
            _ = try sandbox.runtime.run(id: "invalid", bundle: invalidBundle, options: sandbox.options)
        }
    }
}
