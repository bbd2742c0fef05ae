import Foundation
import CLinuxSystem
import LinuxSystem
import OCI

extension Runtime {
    struct Launched {
        var record: ContainerRecord
        /// Reports EXIT when the container is gone; close when not waiting.
        var monitorSocket: Int32
    }

    /// The shared path of `create` and `run` (`waitForStart` false: `run`, whose monitor stays
    /// our child so that one fork is saved; `run` reaps it): parse and check the bundle, compile seccomp,
    /// fork the monitor and the child, put the child into its cgroup, let it set itself up.
    func launch(id: String, bundle: String, options: CreateOptions, waitForStart: Bool) throws(RuntimeError) -> Launched {
        try StateDirectory.validate(id: id)
        let bundle = Self.absolute(bundle)
        let configBytes: [UInt8]
        do {
            guard let bytes = try Files.read(bundle + "/config.json") else {
                throw RuntimeError.invalidBundle("\(bundle)/config.json does not exist")
            }
            configBytes = bytes
        } catch let error as RuntimeError { throw error } catch { throw .invalidBundle("reading \(bundle)/config.json: \(error)") }
        let spec: RuntimeSpec
        do { spec = try JSONDecoder().decode(RuntimeSpec.self, from: Data(configBytes)) } catch {
            throw .invalidBundle("\(bundle)/config.json: \(error)")
        }
        let seccomp = try spec.linux?.seccomp.map { seccomp throws(RuntimeError) in try SeccompCompiler.compile(seccomp) }
        if spec.process?.terminal == true && options.consoleSocket == nil && options.containerLog == nil {
            throw .invalidSpec("process.terminal needs a console socket or a container log to own the pty")
        }
        let description = try ContainerLaunchDescription(
            spec: spec, bundle: bundle, rootfsMountpoint: state.rootfsMountpoint(id), overlay: options.overlay,
            execFifo: waitForStart ? state.fifoPath(id) : nil, seccomp: seccomp, id: id)

        try state.create(id: id)
        var launchedPid: Int32 = 0
        var monitorSocket: Int32 = -1
        var monitorPid: Int32 = 0
        var cgroupCreated: String?
        do {
            if waitForStart, mkfifo(state.fifoPath(id), 0o622) != 0 { throw RuntimeError.system(.current("mkfifo \(state.fifoPath(id))")) }
            if options.overlay != nil {
                try Files.makeDirectories(state.rootfsMountpoint(id))
                for dir in [options.overlay?.upperDir, options.overlay?.workDir].compactMap({ $0 }) {
                    try Files.makeDirectories(dir)
                }
            }
            try Files.write(state.configPath(id), configBytes, mode: 0o600)
            try state.saveHooks(id, spec.hooks)

            let manager = try cgroups()
            let cgroupPath = spec.linux?.cgroupsPath.flatMap { $0.isEmpty ? nil : $0 }
                ?? (options.defaultCgroupParent ?? "skiff") + "/" + id
            let arena = CArena()
            var monitor = csys_monitor_config(
                exit_file: arena.string(state.exitPath(id)), log_path: arena.optionalString(options.containerLog),
                console_socket: arena.optionalString(options.consoleSocket),
                oom_file: arena.string(Self.oomFile(mode: manager.mode, cgroupPath: cgroupPath)),
                log_line_max: options.logLineMax, stdin_fd: -1, attached: waitForStart ? 0 : 1)
            var launch = csys_launch()
            let rc = description.withCConfig(in: arena) { config in csys_container_launch(config, &monitor, &launch) }
            guard rc == 0 else { throw Self.failure(launch.error) }
            launchedPid = launch.container_pid
            monitorSocket = launch.monitor_sock
            monitorPid = launch.monitor_pid
            defer { close(launch.child_sock) }

            do {
                try manager.create(path: cgroupPath, resources: DefaultDeviceRules.apply(to: spec.linux?.resources, devices: spec.linux?.devices ?? []))
                cgroupCreated = cgroupPath
                try manager.addProcess(launch.container_pid, to: cgroupPath)
            } catch { throw RuntimeError.cgroup("\(error)") }

            let record = ContainerRecord(
                id: id, bundle: bundle, pid: launch.container_pid,
                pidStartTime: Processes.startTime(of: launch.container_pid), monitorPid: launch.monitor_pid,
                cgroupPath: cgroupPath, logPath: options.containerLog, created: Self.now(),
                annotations: spec.annotations)
            try state.save(record)

            // prestart (deprecated) then createRuntime: namespaces and cgroup exist, the
            // child has not mounted anything yet.
            if spec.hooks?.prestart?.isEmpty == false || spec.hooks?.createRuntime?.isEmpty == false {
                let creating = ContainerState(ociVersion: spec.ociVersion, id: id, status: .creating, pid: launch.container_pid,
                                              bundle: bundle, annotations: spec.annotations)
                try Hooks.run(spec.hooks?.prestart, point: .prestart, state: creating)
                try Hooks.run(spec.hooks?.createRuntime, point: .createRuntime, state: creating)
            }

            var report = csys_report()
            if csys_container_resume(launch.child_sock, &report) != 0 { throw Self.failure(report) }
            if let pidFile = options.pidFile {
                try Files.writeAtomically(Self.absolute(pidFile), Array("\(launch.container_pid)".utf8))
            }
            return Launched(record: record, monitorSocket: monitorSocket)
        } catch {
            // Undo everything: the child dies (its socket closed or killed), the monitor
            // records the exit, then the cgroup and the state directory go.
            if launchedPid > 0 { _ = csys_kill(launchedPid, SIGKILL) }
            if monitorSocket >= 0 {
                var report = csys_report()
                _ = csys_container_wait(monitorSocket, &report)
                close(monitorSocket)
                if !waitForStart {
                    var status: Int32 = 0
                    _ = csys_waitpid(monitorPid, &status, 0)
                }
            }
            if let cgroupCreated, let manager = try? cgroups() { try? manager.destroy(path: cgroupCreated) }
            try? state.remove(id)
            // The container was made and is now deleted: poststop, as after any delete.
            if launchedPid > 0, spec.hooks?.poststop?.isEmpty == false {
                Hooks.runWarning(spec.hooks?.poststop, point: .poststop, state: ContainerState(
                    ociVersion: spec.ociVersion, id: id, status: .stopped, pid: nil, bundle: bundle, annotations: spec.annotations),
                    logger: logger)
            }
            if let error = error as? RuntimeError { throw error }
            if let error = error as? SystemError { throw .system(error) }
            throw .cgroup("\(error)")
        }
    }

    static func failure(_ report: csys_report) -> RuntimeError {
        let message = withUnsafeBytes(of: report.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        if report.stage == Int32(CSYS_STAGE_HOOKS.rawValue) && report.err == 0 { return .hookFailed(message) }
        return .setupFailed(stage: stageName(report.stage), errno: report.err, message: message)
    }

    static func stageName(_ stage: Int32) -> String {
        let names = ["", "monitor", "namespaces", "sync", "rootfs", "mounts", "devices", "pivot_root", "hostname",
                     "sysctl", "masked paths", "read-only paths", "terminal", "rlimits", "oom score", "credentials",
                     "capabilities", "no_new_privs", "seccomp", "cwd", "exec fifo", "exec", "hooks"]
        return stage >= 0 && Int(stage) < names.count ? names[Int(stage)] : "stage \(stage)"
    }

    /// The file the monitor reads `oom_kill N` from when the container exits.
    static func oomFile(mode: CgroupMode, cgroupPath: String) -> String {
        let relative = cgroupPath.hasPrefix("/") ? String(cgroupPath.dropFirst()) : cgroupPath
        switch mode {
        case .v2: return "/sys/fs/cgroup/\(relative)/memory.events"
        case .v1, .hybrid: return "/sys/fs/cgroup/memory/\(relative)/memory.oom_control"
        }
    }

    static func absolute(_ path: String) -> String {
        if path.hasPrefix("/") { return path }
        var buffer = [CChar](repeating: 0, count: 4096)
        guard getcwd(&buffer, buffer.count) != nil else { return path }
        let cwd = String(decoding: buffer.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path == "." ? cwd : cwd + "/" + path
    }

    /// RFC 3339 with nanoseconds, UTC.
    static func now() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var seconds = ts.tv_sec
        var parts = tm()
        gmtime_r(&seconds, &parts)
        // Digits by hand: String(format:) goes through CVarArg casts, costly on this hot path.
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
        }
        return padded(Int(parts.tm_year) + 1900, 4) + "-" + padded(Int(parts.tm_mon) + 1, 2) + "-" + padded(Int(parts.tm_mday), 2)
            + "T" + padded(Int(parts.tm_hour), 2) + ":" + padded(Int(parts.tm_min), 2) + ":" + padded(Int(parts.tm_sec), 2)
            + "." + padded(Int(ts.tv_nsec), 9) + "Z"
    }
}
