import Foundation
import Testing
@testable import ContainerRuntime
import LinuxSystem
import OCI

/// The container sees only itself: its own pid namespace, hostname and mounts.
@Suite("Runtime isolation", .serialized, .enabled(if: isRoot, "\(rootOnly)"))
struct RuntimeIsolationTests {
    @Test("the process is pid 1 and host processes are invisible")
    func pidNamespace() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let bundle = try sandbox.bundle(["sh", "-c", "echo pid=$$; ls /proc | grep -c '^[0-9][0-9]*$'"])
        let result = try sandbox.run("pid", bundle: bundle)
        #expect(result.exit.exitCode == 0, "stderr: \(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.first == "pid=1")
        // sh, ls and grep at most; the host has far more.
        let visible = Int(lines.last ?? "") ?? -1
        #expect((1...3).contains(visible), "container sees \(visible) processes")
        #expect(Files.list("/proc").filter { Int($0) != nil }.count > 10)
    }

    @Test("hostname and domainname come from the spec")
    func hostname() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let bundle = try sandbox.bundle(["sh", "-c", "hostname; cat /proc/sys/kernel/domainname"]) { spec in
            spec.hostname = "skiff-box"
            spec.domainname = "example.test"
        }
        let result = try sandbox.run("uts", bundle: bundle)
        #expect(result.stdout == "skiff-box\nexample.test\n", "stderr: \(result.stderr)")
    }

    @Test("host mounts are invisible; only the spec's mounts exist")
    func mountNamespace() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let bundle = try sandbox.bundle(["sh", "-c", "cut -d' ' -f2 /proc/self/mounts"])
        let result = try sandbox.run("mnt", bundle: bundle)
        #expect(result.exit.exitCode == 0, "stderr: \(result.stderr)")
        let expected = Set(["/", "/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/sys/fs/cgroup", "/tmp"]
            + DefaultRuntimeSpec.maskedPaths + DefaultRuntimeSpec.readonlyPaths)
        let seen = Set(result.stdout.split(separator: "\n").map(String.init))
        #expect(seen.isSubset(of: expected), "unexpected mounts: \(seen.subtracting(expected))")
        #expect(seen.contains("/proc") && seen.contains("/"))
        // The host's mounts (e.g. its cgroup hierarchies) are not there.
        let host = try String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)
            .split(separator: "\n").compactMap { $0.split(separator: " ").dropFirst().first.map(String.init) }
        let hostOnly = Set(host).subtracting(expected)
        #expect(!hostOnly.isEmpty && hostOnly.isDisjoint(with: seen))
    }

    @Test("masked paths are empty and /proc/sys is read-only")
    func maskedAndReadonlyPaths() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        // Only paths this kernel has can be checked (e.g. /proc/kcore needs CONFIG_PROC_KCORE).
        let present = DefaultRuntimeSpec.maskedPaths.filter { Files.exists($0) }
        let files = present.filter { !Files.isDirectory($0) }
        let dirs = present.filter { Files.isDirectory($0) }
        #expect(!files.isEmpty && !dirs.isEmpty, "masked paths on this host: \(present)")
        var script = files.map { "echo \($0)=$(cat \($0) | wc -c)" } + dirs.map { "echo \($0)=$(ls -A \($0) | wc -l)" }
        script.append("if echo sandbox2 > /proc/sys/kernel/hostname 2>/dev/null; then echo sys=writable; else echo sys=readonly; fi")
        let result = try sandbox.run("masked", bundle: try sandbox.bundle(["sh", "-c", script.joined(separator: "; ")]))
        let expected = (files + dirs).map { "\($0)=0\n" }.joined() + "sys=readonly\n"
        #expect(result.stdout == expected, "stderr: \(result.stderr)")
        // On the host those paths have content.
        #expect(files.contains { ((try? Files.read($0))?.count ?? 0) > 0 } || dirs.contains { !Files.list($0).isEmpty })
    }

    @Test("a second container joins the first one's network, ipc and uts namespaces by path (a pod)")
    func joinNamespacesByPath() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let first = try sandbox.runtime.create(id: "pause", bundle: try sandbox.bundle(["sleep", "30"]) { spec in
            spec.hostname = "pod"
        }, options: sandbox.options)
        try sandbox.runtime.start(id: "pause")
        let shared = ["net", "ipc", "uts"]
        let script = (shared + ["pid", "mnt"]).map { "readlink /proc/self/ns/\($0)" }.joined(separator: "; ") + "; hostname"
        let bundle = try sandbox.bundle(["sh", "-c", script]) { spec in
            spec.hostname = nil
            let namespaces = spec.linux?.namespaces ?? []
            spec.linux?.namespaces = namespaces.map { namespace in
                let proc = ["network": "net", "ipc": "ipc", "uts": "uts"][namespace.type]
                return proc.map { RuntimeSpec.Namespace(type: namespace.type, path: "/proc/\(first.pid)/ns/\($0)") } ?? namespace
            }
        }
        let result = try sandbox.run("member", bundle: bundle)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 6, "stderr: \(result.stderr)")
        #expect(Array(lines.prefix(3)) == shared.map { Files.readLink("/proc/\(first.pid)/ns/\($0)") ?? "?" })
        // Its own pid and mount namespaces, the pod's hostname.
        #expect(lines[3] != Files.readLink("/proc/\(first.pid)/ns/pid"))
        #expect(lines[4] != Files.readLink("/proc/\(first.pid)/ns/mnt"))
        #expect(lines.last == "pod")
    }

    @Test("the exit code is reported; a missing program is a setup error naming it")
    func exitStatus() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let code = try sandbox.run("code", bundle: try sandbox.bundle(["sh", "-c", "exit 42"]))
        #expect(code.exit.exitCode == 42 && code.exit.signal == 0)
        let missing = #expect(throws: RuntimeError.self) {
            try sandbox.run("missing", bundle: try sandbox.bundle(["/no/such/program"]))
        }
        #expect("\(missing.map { "\($0)" } ?? "")".contains("exec /no/such/program"))
    }
}
