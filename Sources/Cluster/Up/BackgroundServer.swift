import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Starts `skiff server` detached from the terminal (its own session, so closing the shell or
/// pressing Ctrl-C in it does not stop the cluster), with stdin from /dev/null and stdout and
/// stderr appended to `<data>/server.log`, and waits for its ready line.
struct BackgroundServer {
    let settings: ClusterSettings

    /// glibc's `POSIX_SPAWN_SETSID` (`<spawn.h>` defines it only under `_GNU_SOURCE`, which
    /// Swift's Glibc module does not see): the child calls setsid() before exec.
    static let spawnSetSID: Int32 = 0x80

    /// The executable of this process: `skiff up` starts the same binary as the server.
    static func currentExecutable() throws -> String {
        do {
            return try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
        } catch {
            throw ClusterError.startup("cannot find the skiff executable (/proc/self/exe): \(error.localizedDescription)")
        }
    }

    /// Spawns the server; returns its pid and the log offset its output starts at.
    func start() throws -> (pid: pid_t, logOffset: UInt64) {
        let log = settings.layout.serverLog
        let offset = (try? FileManager.default.attributesOfItem(atPath: log)[.size] as? UInt64) ?? 0
        let executable = try Self.currentExecutable()
        let arguments = [executable] + settings.serverArguments + ["--log-level", "info"]

        Self.closeInheritedDescriptorsOnExec()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // A new session: no controlling terminal, and signals sent to the shell's process
        // group (Ctrl-C) do not reach the server.
        posix_spawnattr_setflags(&attributes, Int16(Self.spawnSetSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGCHLD] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, &argv, environ)
        guard result == 0 else {
            throw ClusterError.startup("cannot start \(executable) server: \(String(cString: strerror(result)))")
        }
        return (pid, offset)
    }

    /// Marks every descriptor above stderr close-on-exec, so the long-lived server inherits
    /// none of ours: a pipe or socket our own parent watches for EOF (a shell's `$(…)`, a
    /// test harness waiting for `skiff up` to finish) would otherwise stay open as long as
    /// the cluster runs.
    static func closeInheritedDescriptorsOnExec() {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd") else { return }
        for entry in entries {
            guard let fd = Int32(entry), fd > 2 else { continue }
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    /// Waits for the ready line the server prints once kubectl can connect; returns the
    /// apiserver URL it names. Fails early, with the end of the log, if the server exits.
    func waitUntilReady(pid: pid_t, logOffset: UInt64, timeout: Duration = .seconds(120)) async throws -> String {
        let deadline = ContinuousClock.now + timeout
        let log = settings.layout.serverLog
        while ContinuousClock.now < deadline {
            let text = Self.read(log, from: logOffset)
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("skiff server ready: ") }) {
                let url = line.dropFirst("skiff server ready: ".count).split(separator: " ").first.map(String.init)
                return url ?? "https://127.0.0.1:\(settings.apiPort)"
            }
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                throw ClusterError.startup(
                    "the server exited before it was ready; the end of \(log):\n\(Self.tail(text))")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ClusterError.startup(
            "the server was not ready after \(timeout); it still runs (pid \(pid)); the end of \(log):\n\(Self.tail(Self.read(log, from: logOffset)))")
    }

    static func read(_ path: String, from offset: UInt64) -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return "" }
        defer { try? handle.close() }
        try? handle.seek(toOffset: offset)
        return String(decoding: (try? handle.readToEnd()) ?? Data(), as: UTF8.self)
    }

    static func tail(_ text: String, lines: Int = 20) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).suffix(lines).joined(separator: "\n")
    }
}
