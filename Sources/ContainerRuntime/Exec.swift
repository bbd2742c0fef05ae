import Foundation
import CLinuxSystem
import LinuxSystem
import OCI

/// The stdio of an exec'd process: file descriptors of the caller, or `nil` to inherit.
/// With `process.terminal` the process gets a pty from the container's devpts instead and
/// `console` says where its master goes.
public struct ExecStdio: Sendable {
    public var stdin: Int32?
    public var stdout: Int32?
    public var stderr: Int32?
    public var console: ExecConsole?
    public init(stdin: Int32? = nil, stdout: Int32? = nil, stderr: Int32? = nil, console: ExecConsole? = nil) {
        self.stdin = stdin
        self.stdout = stdout
        self.stderr = stderr
        self.console = console
    }
}

/// Where the pty master of an exec with a terminal goes.
public enum ExecConsole: Sendable {
    /// Sent over the unix socket at this path (runc's `--console-socket`); we keep no copy.
    case socket(String)
    /// Handed to this closure (which then owns the fd) as soon as the process has its
    /// terminal, on the thread that called `exec`, before `exec` waits for the process:
    /// do the I/O elsewhere. Until the process exits the runtime holds a slave open, so
    /// output the process wrote just before exiting is not lost to a hangup.
    case handler(@Sendable (Int32) -> Void)
}

extension Runtime {
    /// The container's own process settings with `args` (and optionally env/cwd) replaced:
    /// what `runtime exec ID -- cmd…` runs.
    public func execProcess(id: String, args: [String], env: [String] = [], cwd: String? = nil) throws(RuntimeError) -> RuntimeSpec.Process {
        let spec = try savedSpec(id: id)
        guard var process = spec.process else { throw .invalidSpec("container \(id) has no process") }
        process.args = args
        process.env = (process.env ?? []) + env
        if let cwd { process.cwd = cwd }
        process.terminal = false
        return process
    }

    /// Runs `process` inside the running container `id`: in all its namespaces and its
    /// cgroup, with the container's seccomp filter and the process's own capabilities,
    /// user and no_new_privs. Blocks until it exits.
    public func exec(id: String, process: RuntimeSpec.Process, stdio: ExecStdio = ExecStdio()) throws(RuntimeError) -> ContainerExit {
        let info = try inspect(id: id)
        guard info.status == .running else { throw .invalidState(id: id, status: info.status.rawValue, operation: "exec in") }
        if process.terminal == true && stdio.console == nil {
            throw .invalidSpec("exec with process.terminal needs a console (a console socket or a handler) to own the pty")
        }
        let spec = try savedSpec(id: id)
        let seccomp = try spec.linux?.seccomp.map { seccomp throws(RuntimeError) in try SeccompCompiler.compile(seccomp) }
        let description = try ProcessDescription(process, seccomp: seccomp)

        let pid = info.record.pid
        var paths: [String] = []
        var flags: [Int32] = []
        for kind in NamespaceKind.joinOrder where kind != .user && kind != .time {
            let theirs = "/proc/\(pid)/ns/\(kind.procName)"
            guard let link = Files.readLink(theirs) else { continue }
            if link != Files.readLink("/proc/self/ns/\(kind.procName)") {
                paths.append(theirs)
                flags.append(kind.cloneFlag)
            }
        }
        // The pid may have been recycled between inspect and here: check once more.
        guard Processes.isAlive(pid, startTime: info.record.pidStartTime) else {
            throw .invalidState(id: id, status: "stopped", operation: "exec in")
        }

        let arena = CArena()
        var config = csys_exec_config(
            ns_paths: arena.strings(paths), ns_flags: arena.array(flags), ns_count: paths.count,
            stdin_fd: stdio.stdin ?? -1, stdout_fd: stdio.stdout ?? -1, stderr_fd: stdio.stderr ?? -1,
            process: description.layout(in: arena))
        var launch = csys_exec_launch()
        var report = csys_report()
        guard csys_exec_launch(&config, &launch, &report) == 0 else { throw Self.failure(report) }
        defer {
            close(launch.sock)
            if launch.pty_sock >= 0 { close(launch.pty_sock) }
        }
        do {
            if let path = info.record.cgroupPath { try cgroups().addProcess(launch.pid, to: path) }
        } catch {
            _ = csys_kill(launch.pid, SIGKILL)
            var status: Int32 = 0
            _ = csys_waitpid(launch.pid, &status, 0)
            throw .cgroup("\(error)")
        }
        let resumed = csys_exec_resume(launch.sock, &report)
        // The pty's master and a slave were sent before the exec (or nothing, on failure).
        var heldSlave: Int32 = -1
        var consoleError: RuntimeError?
        if resumed == 0, launch.pty_sock >= 0, let console = stdio.console {
            let master = csys_recv_fd(launch.pty_sock)
            heldSlave = csys_recv_fd(launch.pty_sock)
            if master < 0 {
                consoleError = .system(.current("receiving the exec's pty"))
            } else {
                switch console {
                case .socket(let path):
                    if csys_send_fd_to_path(path, master) != 0 { consoleError = .system(.current("sending the pty to \(path)")) }
                    close(master)
                case .handler(let handler):
                    handler(master)
                }
            }
            if consoleError != nil { _ = csys_kill(launch.pid, SIGKILL) }
        }
        var status: Int32 = 0
        _ = csys_waitpid(launch.pid, &status, 0)
        if heldSlave >= 0 { close(heldSlave) }
        if resumed != 0 { throw Self.failure(report) }
        if let consoleError { throw consoleError }
        if csys_wifsignaled(status) != 0 {
            let signal = csys_wtermsig(status)
            return ContainerExit(exitCode: 128 + signal, signal: signal, oomKilled: false)
        }
        let code = csys_wexitstatus(status)
        // The intermediate re-raises a fatal signal of the process; if it could not, it exits 128+sig.
        return ContainerExit(exitCode: code, signal: 0, oomKilled: false)
    }

    /// The config.json the container was created with (kept in its state directory).
    func savedSpec(id: String) throws(RuntimeError) -> RuntimeSpec {
        let path = state.configPath(id)
        let bytes: [UInt8]?
        do { bytes = try Files.read(path) } catch { throw .system(error) }
        guard let bytes else { throw .containerNotFound(id) }
        do { return try JSONDecoder().decode(RuntimeSpec.self, from: Data(bytes)) } catch {
            throw .invalidBundle("\(path): \(error)")
        }
    }
}
