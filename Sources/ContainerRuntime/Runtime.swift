import Foundation
import CLinuxSystem
import LinuxSystem
import Logging
import OCI

/// skiff's OCI runtime: takes a bundle (config.json + rootfs) and runs it as a container
/// whose monitor outlives the calling process. All state lives under `state.root`, so any
/// later process (a restarted skiff, `skiff runtime state`) sees every container.
///
/// Every method is synchronous and blocks only briefly (except `run` and `exec`, which wait
/// for the process); callers in async code should call them from a thread they may block.
public struct Runtime: Sendable {
    public let state: StateDirectory
    /// The host's cgroup manager, detected once (detection parses /proc/self/mountinfo).
    let cgroupManager: Result<any CgroupManager, RuntimeError>
    let logger = Logger(label: "skiff.runtime")

    /// `cgroups`: the cgroup manager to use; `nil` detects the host's layout.
    public init(root: String = StateDirectory.defaultRoot, cgroups: (any CgroupManager)? = nil) {
        self.state = StateDirectory(root: root)
        if let cgroups {
            cgroupManager = .success(cgroups)
        } else {
            do { cgroupManager = .success(try makeCgroupManager()) } catch { cgroupManager = .failure(.cgroup("\(error)")) }
        }
    }

    func cgroups() throws(RuntimeError) -> any CgroupManager {
        try cgroupManager.get()
    }

    /// Creates the container and leaves its init waiting before execve until `start`.
    @discardableResult
    public func create(id: String, bundle: String, options: CreateOptions = CreateOptions()) throws(RuntimeError) -> ContainerRecord {
        let launched = try launch(id: id, bundle: bundle, options: options, waitForStart: true)
        close(launched.monitorSocket)
        return launched.record
    }

    /// Creates and starts the container, waits for it to exit, deletes it and returns how it
    /// exited (`runc run`).
    public func run(id: String, bundle: String, options: CreateOptions = CreateOptions()) throws(RuntimeError) -> ContainerExit {
        let launched = try launch(id: id, bundle: bundle, options: options, waitForStart: false)
        defer {
            close(launched.monitorSocket)
            var status: Int32 = 0
            _ = csys_waitpid(launched.record.monitorPid, &status, 0)
        }
        if options.forwardSignals { _ = csys_forward_signals(launched.record.pid) }
        runPoststart(launched.record)
        var report = csys_report()
        let exit: ContainerExit
        if csys_container_wait(launched.monitorSocket, &report) == 0 {
            exit = ContainerExit(pid: report.pid, exitCode: report.exit_code, signal: report.signal, oomKilled: report.oom_killed != 0)
        } else if let recorded = state.loadExit(id) {
            exit = recorded
        } else {
            throw .setupFailed(stage: "monitor", errno: report.err, message: "waiting for container \(id)")
        }
        try cleanUp(launched.record)
        return exit
    }

    /// Lets a created container exec its process.
    public func start(id: String) throws(RuntimeError) {
        let info = try inspect(id: id)
        guard info.status == .created else { throw .invalidState(id: id, status: info.status.rawValue, operation: "start") }
        let fifo = state.fifoPath(id)
        let fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { throw .system(.current("open \(fifo)")) }
        defer { close(fd) }
        // The init blocks in open(O_WRONLY) until we open; then it runs the startContainer
        // hooks and writes "0" before it execs, or "1<message>" when a hook failed.
        let answer = try awaitStartAnswer(fd: fd, record: info.record)
        guard answer.first == UInt8(ascii: "0") else {
            unlink(fifo)
            let message = String(decoding: answer.dropFirst(), as: UTF8.self)
            throw .hookFailed(message.isEmpty ? "the container stopped before it started" : message)
        }
        unlink(fifo)
        runPoststart(info.record)
    }

    /// Reads the init's answer on the exec fifo: everything it writes until it closes its end
    /// (after "0" it execs, closing the fifo; after "1<message>" it exits). Waits as long as
    /// the init lives, so slow startContainer hooks are waited for, not abandoned.
    func awaitStartAnswer(fd: Int32, record: ContainerRecord) throws(RuntimeError) -> [UInt8] {
        var answer: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 512)
        var writerSeen = false
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                answer.append(contentsOf: buffer[0..<n])
                writerSeen = true
                if answer.first == UInt8(ascii: "0") { return answer }
                continue
            }
            // n == 0 is EOF once a writer has come and gone; before that the fifo simply has
            // no writer yet.
            if n == 0 && writerSeen { return answer }
            if !Processes.isAlive(record.pid, startTime: record.pidStartTime) {
                if !answer.isEmpty { return answer }
                throw .invalidState(id: record.id, status: "stopped", operation: "start")
            }
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            _ = poll(&pfd, 1, 5)
        }
    }

    /// poststart hooks, if the container has any: failures are warnings (runtime-spec).
    func runPoststart(_ record: ContainerRecord) {
        guard let hooks = state.loadHooks(record.id)?.poststart, !hooks.isEmpty else { return }
        Hooks.runWarning(hooks, point: .poststart, state: ContainerState(
            id: record.id, status: .running, pid: record.pid, bundle: record.bundle, annotations: record.annotations), logger: logger)
    }

    /// The container's current status, recomputed from its files and `/proc`.
    public func inspect(id: String) throws(RuntimeError) -> ContainerInfo {
        let record = try state.load(id)
        if let exit = state.loadExit(id) { return ContainerInfo(record: record, status: .stopped, exit: exit) }
        guard Processes.isAlive(record.pid, startTime: record.pidStartTime) else {
            return ContainerInfo(record: record, status: .stopped, exit: nil)
        }
        let status: ContainerState.Status = Files.exists(state.fifoPath(id)) ? .created : .running
        return ContainerInfo(record: record, status: status, exit: nil)
    }

    /// Every container under the root.
    public func list() -> [ContainerInfo] {
        state.ids().compactMap { try? inspect(id: $0) }
    }

    /// Sends `signal` to the init, or with `all` to every process of the container's cgroup.
    public func kill(id: String, signal: Int32, all: Bool = false) throws(RuntimeError) {
        let info = try inspect(id: id)
        guard info.status == .created || info.status == .running else {
            throw .invalidState(id: id, status: info.status.rawValue, operation: "kill")
        }
        if all, let path = info.record.cgroupPath {
            do { try cgroups().killAll(path: path, signal: signal) } catch { throw .cgroup("\(error)") }
            return
        }
        do { try Processes.kill(info.record.pid, signal: signal) } catch { throw .system(error) }
    }

    /// SIGTERM, then SIGKILL after `grace` if it is still running. Returns the exit, if recorded.
    @discardableResult
    public func stop(id: String, grace: Duration = .seconds(10)) throws(RuntimeError) -> ContainerExit? {
        let info = try inspect(id: id)
        guard info.status == .created || info.status == .running else { return info.exit }
        try? kill(id: id, signal: SIGTERM)
        if let exit = waitForExit(id: id, record: info.record, timeout: grace) { return exit }
        try? kill(id: id, signal: SIGKILL)
        return waitForExit(id: id, record: info.record, timeout: .seconds(10))
    }

    /// Removes a stopped (or, with `force`, a running) container: kills it, destroys its
    /// cgroup and its state directory. Created containers are killed without `force`, as runc does.
    public func delete(id: String, force: Bool = false) throws(RuntimeError) {
        let info = try inspect(id: id)
        switch info.status {
        case .running, .paused:
            guard force else { throw .invalidState(id: id, status: info.status.rawValue, operation: "delete (use --force)") }
            fallthrough
        case .created, .creating:
            if let path = info.record.cgroupPath { _ = try? cgroups().killAll(path: path, signal: SIGKILL) }
            try? Processes.kill(info.record.pid, signal: SIGKILL)
            _ = waitForExit(id: id, record: info.record, timeout: .seconds(10))
        case .stopped:
            // The monitor may still be writing the exit file; give it a moment.
            _ = waitForExit(id: id, record: info.record, timeout: .milliseconds(500))
        }
        try cleanUp(info.record)
    }

    /// Pids (host namespace) of every process in the container.
    public func processes(id: String) throws(RuntimeError) -> [Int32] {
        let info = try inspect(id: id)
        guard info.status != .stopped else { return [] }
        if let path = info.record.cgroupPath, let pids = try? cgroups().processes(path: path) { return pids.sorted() }
        return [info.record.pid]
    }

    /// Waits until the exit is recorded (or the pid is gone and the monitor too), up to `timeout`.
    func waitForExit(id: String, record: ContainerRecord, timeout: Duration) -> ContainerExit? {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: timeout)
        while clock.now < deadline {
            if let exit = state.loadExit(id) { return exit }
            if !Processes.isAlive(record.monitorPid, startTime: nil) { return state.loadExit(id) }
            usleep(2000)
        }
        return state.loadExit(id)
    }

    /// Deletes what is left of the container, then runs its poststop hooks (warnings only).
    func cleanUp(_ record: ContainerRecord) throws(RuntimeError) {
        let poststop = state.loadHooks(record.id)?.poststop
        if let path = record.cgroupPath {
            do { try cgroups().destroy(path: path) } catch { logger.warning("destroying cgroup \(path): \(error)") }
        }
        try state.remove(record.id)
        if let poststop, !poststop.isEmpty {
            Hooks.runWarning(poststop, point: .poststop, state: ContainerState(
                id: record.id, status: .stopped, pid: nil, bundle: record.bundle, annotations: record.annotations), logger: logger)
        }
    }
}
