import Foundation
import Testing
@testable import ContainerRuntime
import LinuxSystem
import OCI

/// Root-only: namespaces, mounts and cgroups need it. CI runs as root.
let isRoot = getuid() == 0
let rootOnly = "needs root (namespaces, mounts, cgroups); run the suite as root"

/// A throwaway runtime: its own state root, its own cgroup parent, a busybox bundle. `finish`
/// deletes every container and verifies nothing is left behind (cgroups, processes, mounts).
final class RuntimeSandbox {
    let directory: String
    let runtime: Runtime
    let cgroupParent: String
    let cgroups: any CgroupManager
    private var bundles = 0

    init() throws {
        directory = try Self.makeTempDirectory()
        cgroups = try makeCgroupManager()
        runtime = Runtime(root: directory + "/state", cgroups: cgroups)
        cgroupParent = "skiff-test/" + UUID().uuidString.prefix(8).lowercased()
    }

    var options: CreateOptions {
        var options = CreateOptions()
        options.defaultCgroupParent = cgroupParent
        return options
    }

    /// A bundle with a busybox root and the default spec running `args`, modified by `edit`.
    func bundle(_ args: [String], helper: Bool = false, edit: (inout RuntimeSpec) -> Void = { _ in }) throws -> String {
        bundles += 1
        let bundle = directory + "/bundle\(bundles)"
        let rootfs = bundle + "/rootfs"
        for dir in ["bin", "proc", "sys", "dev", "etc", "tmp", "mnt"] {
            try FileManager.default.createDirectory(atPath: rootfs + "/" + dir, withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: rootfs + "/bin/busybox")
        for applet in try Self.applets() where applet != "busybox" {
            try FileManager.default.createSymbolicLink(atPath: rootfs + "/bin/" + applet, withDestinationPath: "busybox")
        }
        if helper {
            let probe = try Self.syscallProbe()
            defer { try? FileManager.default.removeItem(atPath: (probe as NSString).deletingLastPathComponent) }
            try FileManager.default.copyItem(atPath: probe, toPath: rootfs + "/bin/probe")
        }
        var spec = DefaultRuntimeSpec.make(args: args, terminal: false, hostname: "sandbox")
        spec.mounts?.append(.init(destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777"]))
        edit(&spec)
        let encoder = JSONEncoder()
        try encoder.encode(spec).write(to: URL(fileURLWithPath: bundle + "/config.json"))
        return bundle
    }

    /// Runs to completion with a CRI log; returns the exit and the stdout/stderr text.
    func run(_ id: String, bundle: String) throws -> (exit: ContainerExit, stdout: String, stderr: String) {
        var options = self.options
        let log = directory + "/\(id).log"
        options.containerLog = log
        let exit = try runtime.run(id: id, bundle: bundle, options: options)
        let records = try CRILogRecord.parse(String(contentsOfFile: log, encoding: .utf8))
        return (exit, CRILogRecord.text(records, stream: "stdout"), CRILogRecord.text(records, stream: "stderr"))
    }

    /// Deletes every container, removes the cgroups and files, and checks nothing leaked.
    func finish(sourceLocation: SourceLocation = #_sourceLocation) {
        let monitors = runtime.list().map(\.record.monitorPid)
        for info in runtime.list() { try? runtime.delete(id: info.record.id, force: true) }
        #expect(runtime.list().isEmpty, "containers left in \(runtime.state.root)", sourceLocation: sourceLocation)
        for pid in monitors {
            #expect(Self.waitGone(pid), "monitor \(pid) still running", sourceLocation: sourceLocation)
        }
        let leftovers = (try? cgroups.processes(path: cgroupParent)) ?? []
        #expect(leftovers.isEmpty, "processes left in cgroup \(cgroupParent): \(leftovers)", sourceLocation: sourceLocation)
        try? cgroups.destroy(path: cgroupParent)
        // The shared "skiff-test" parent goes when the last sandbox leaves it empty (rmdir
        // refuses while another test's cgroups are below it).
        for hierarchy in Files.list("/sys/fs/cgroup") + ["unified"] {
            rmdir("/sys/fs/cgroup/\(hierarchy)/skiff-test")
        }
        for mount in ["/sys/fs/cgroup/memory", "/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified", "/sys/fs/cgroup"] {
            let path = mount + "/" + cgroupParent
            #expect(!FileManager.default.fileExists(atPath: path), "cgroup \(path) left behind", sourceLocation: sourceLocation)
        }
        let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        #expect(!mounts.contains(directory), "mounts left under \(directory)", sourceLocation: sourceLocation)
        try? FileManager.default.removeItem(atPath: directory)
    }

    static func waitGone(_ pid: Int32) -> Bool {
        for _ in 0..<500 {
            if !Processes.isAlive(pid, startTime: nil) { return true }
            usleep(10_000)
        }
        return false
    }

    static func makeTempDirectory() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/skiff-runtime-test-XXXXXX").utf8CString)
        guard let path = mkdtemp(&template) else { throw SystemError.current("mkdtemp") }
        return String(cString: path)
    }

    static func applets() throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/busybox")
        process.arguments = ["--list"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// A static program that tries unshare, mount, keyctl and ptrace and prints each errno.
    static func syscallProbe() throws -> String {
        let dir = try makeTempDirectory()
        let source = dir + "/probe.c"
        try """
        #define _GNU_SOURCE
        #include <errno.h>
        #include <sched.h>
        #include <stdio.h>
        #include <sys/mount.h>
        #include <sys/ptrace.h>
        #include <sys/syscall.h>
        #include <unistd.h>
        static void report(const char *name, long rc) { printf("%s %d\\n", name, rc < 0 ? errno : 0); }
        int main(void) {
            report("unshare", syscall(SYS_unshare, CLONE_NEWUTS));
            report("mount", syscall(SYS_mount, "none", "/mnt", "tmpfs", 0, NULL));
            report("keyctl", syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3 /* session */, 0));
            report("ptrace", syscall(SYS_ptrace, PTRACE_TRACEME, 0, NULL, NULL));
            return 0;
        }
        """.write(toFile: source, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/cc")
        process.arguments = ["-static", "-O1", "-o", dir + "/probe", source]
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw RuntimeError.invalidBundle("cc -static probe.c failed") }
        return dir + "/probe"
    }
}

/// One line of a CRI-format log: `<RFC3339Nano> <stream> <F|P> <content>`.
struct CRILogRecord: Equatable {
    var time: String
    var stream: String
    var partial: Bool
    var content: String

    static func parse(_ text: String) throws -> [CRILogRecord] {
        var records: [CRILogRecord] = []
        // Split on the byte: a pty's "\r" before the log's "\n" would make one Character of both.
        for bytes in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).dropLast() {
            let line = String(decoding: bytes, as: UTF8.self)
            let parts = line.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
            guard parts.count >= 3, parts[1] == "stdout" || parts[1] == "stderr", parts[2] == "F" || parts[2] == "P",
                  parts[0].wholeMatch(of: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z/) != nil else {
                throw RuntimeError.invalidBundle("not a CRI log line: \(line)")
            }
            records.append(CRILogRecord(time: String(parts[0]), stream: String(parts[1]), partial: parts[2] == "P",
                                        content: parts.count > 3 ? String(parts[3]) : ""))
        }
        return records
    }

    /// The stream's text with partial records joined and full ones ending a line.
    static func text(_ records: [CRILogRecord], stream: String) -> String {
        records.filter { $0.stream == stream }.map { $0.partial ? $0.content : $0.content + "\n" }.joined()
    }
}
