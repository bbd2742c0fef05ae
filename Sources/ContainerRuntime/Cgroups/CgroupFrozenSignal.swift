import Logging

extension CgroupManager {
    /// Signals every process of the cgroup while it is frozen, then thaws it.
    ///
    /// Why frozen: between listing `cgroup.procs` and signalling, a process can fork a child
    /// the list never saw; a frozen cgroup cannot fork, so one pass reaches everyone. If the
    /// freeze cannot complete (a task stuck in the kernel, D state), the processes are
    /// signalled anyway rather than leaving the cgroup running.
    func signalWhileFrozen(path: String, signal: Int32, logger: Logger) throws {
        do {
            try setFrozen(true, path: path)
        } catch {
            logger.warning("cannot freeze cgroup before signalling; signalling unfrozen",
                           metadata: ["cgroup": "\(path)", "error": "\(error)"])
            try CgroupProcesses.signal(try processes(path: path), with: signal, cgroup: path)
            return
        }
        do {
            try CgroupProcesses.signal(try processes(path: path), with: signal, cgroup: path)
        } catch {
            try? setFrozen(false, path: path)
            throw error
        }
        try setFrozen(false, path: path)
    }
}
