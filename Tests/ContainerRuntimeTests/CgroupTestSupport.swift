import Testing
@testable import ContainerRuntime
#if canImport(Glibc)
import Glibc
#endif

/// Helpers shared by the cgroup tests: real processes, unique test cgroups, cleanup.
enum CgroupTestSupport {
    static var isRoot: Bool { getuid() == 0 }

    static var detectedMode: CgroupMode? { try? CgroupMode.detect() }

    /// The host's unified (cgroup2) hierarchy, where v2 tests run: the root on a v2 host,
    /// `/sys/fs/cgroup/unified` on a hybrid host.
    static var unifiedRoot: String? {
        switch detectedMode {
        case .v2: "/sys/fs/cgroup"
        case .hybrid: "/sys/fs/cgroup/unified"
        default: nil
        }
    }

    static var hasV1: Bool { detectedMode == .v1 || detectedMode == .hybrid }

    static func uniqueName() -> String {
        "skiff-test-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
    }

    /// Creates a unique `skiff-test-<random>` parent cgroup, runs `body` with its path, then
    /// kills whatever is left in it and removes it, whether `body` threw or not.
    static func withTestCgroup<T>(_ manager: any CgroupManager, _ body: (String) throws -> T) throws -> T {
        let parent = uniqueName()
        try manager.create(path: parent, resources: nil)
        defer {
            try? manager.killAll(path: parent, signal: SIGKILL)
            do { try manager.destroy(path: parent) } catch { Issue.record("cleanup of \(parent) failed: \(error)") }
        }
        return try body(parent)
    }
}

/// A child process started with posix_spawn whose stdin is a pipe we hold: it is expected to
/// block on `read` until `release()`, which lets the test move it into a cgroup before it
/// does the interesting work, the way the runtime joins the container's child before exec.
final class GatedProcess {
    let pid: pid_t
    private var gate: Int32
    private var reaped = false

    /// Runs `/bin/sh -c "read _; <script>"`.
    init(script: String) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw CgroupError.system(operation: "pipe", path: "-", errno: errno) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)
        posix_spawn_file_actions_addclose(&actions, fds[1])
        let arguments = ["/bin/sh", "-c", "read _ ; " + script]
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        // The spawning thread may block signals (thread pools do) and posix_spawn would pass
        // that mask on: a shell with SIGTERM blocked ignores killAll(SIGTERM). Reset both.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var child: pid_t = 0
        let result = posix_spawn(&child, "/bin/sh", &actions, &attributes, argv, environ)
        close(fds[0])
        guard result == 0 else {
            close(fds[1])
            throw CgroupError.system(operation: "posix_spawn", path: "/bin/sh", errno: result)
        }
        pid = child
        gate = fds[1]
    }

    /// Lets the script run.
    func release() {
        guard gate >= 0 else { return }
        _ = "\n".withCString { write(gate, $0, 1) }
        close(gate)
        gate = -1
    }

    /// Waits for exit and returns the raw wait status. A process still alive after
    /// `seconds` is a test failure (recorded), and is killed so the run never hangs.
    @discardableResult
    func wait(upTo seconds: Double = 30) -> Int32 {
        var status: Int32 = 0
        let deadline = monotonicSeconds() + seconds
        while true {
            let result = waitpid(pid, &status, WNOHANG)
            if result == pid || (result < 0 && errno != EINTR) { break }
            if monotonicSeconds() > deadline {
                Issue.record("process \(pid) still running after \(seconds) s; killing it")
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
                break
            }
            usleep(10_000)
        }
        reaped = true
        return status
    }

    /// The signal that ended the process, if a signal did.
    static func terminatingSignal(_ status: Int32) -> Int32? {
        (status & 0x7F) != 0 && (status & 0x7F) != 0x7F ? status & 0x7F : nil
    }

    static func exitCode(_ status: Int32) -> Int32? {
        (status & 0x7F) == 0 ? (status >> 8) & 0xFF : nil
    }

    deinit {
        if gate >= 0 { close(gate) }
        if !reaped {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }
}

/// Monotonic seconds, for measuring CPU usage against elapsed time (never for pass/fail on speed).
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func readFile(_ path: String) throws -> String {
    try CgroupFiles.readTrimmed(path)
}

/// `rm -rf` for a temporary directory a test made.
func removeTemporaryTree(_ path: String) {
    if let dir = opendir(path) {
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            if entry.pointee.d_type == UInt8(DT_DIR) {
                removeTemporaryTree(path + "/" + name)
            } else {
                unlink(path + "/" + name)
            }
        }
        closedir(dir)
    }
    rmdir(path)
}
