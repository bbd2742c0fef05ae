import Logging
import OCI
#if canImport(Glibc)
import Glibc
#endif

/// The cgroup v2 backend: one directory per cgroup in the unified hierarchy at `root`.
///
/// cgroup2 only lets a controller act in a cgroup when every ancestor enabled it in
/// `cgroup.subtree_control`, and a non-root cgroup with processes cannot enable controllers
/// for children ("no internal processes"). `create` therefore enables, from the root down to
/// the parent of the new cgroup, every controller the level offers; only leaves hold processes.
///
/// With `enableControllers: false` (the unified hierarchy of a hybrid host, whose controllers
/// all belong to v1) the manager only creates directories and uses the core files
/// (`cgroup.procs`, `cgroup.kill`, `cgroup.freeze`, `cgroup.events`).
///
/// Device rules on v2 are an eBPF program attached to the cgroup (see `CgroupDeviceFilter`),
/// loaded by the `deviceFilterInstaller` (`makeCgroupManager` passes the kernel one; an
/// update replaces the program, `destroy` detaches it). Without an installer (test layouts
/// in a temp directory) `create`/`update` log a warning that the rules are not enforced.
public struct CgroupV2Manager: CgroupManager {
    public var mode: CgroupMode { .v2 }
    let root: String
    let enableControllers: Bool
    let deviceFilterInstaller: (any CgroupDeviceFilterInstaller)?
    let logger = Logger(label: "skiff.runtime")

    init(root: String, enableControllers: Bool = true, deviceFilterInstaller: (any CgroupDeviceFilterInstaller)? = nil) {
        self.root = root
        self.enableControllers = enableControllers
        self.deviceFilterInstaller = deviceFilterInstaller
    }

    func directory(_ path: String) -> String { root + "/" + path }

    public func create(path: String, resources: RuntimeSpec.Resources?) throws {
        let path = try CgroupPath.normalize(path)
        try CgroupFiles.makeDirectories(directory(path))
        if enableControllers { try enableSubtreeControllers(above: path) }
        if let resources { try apply(resources, path: path) }
    }

    /// Enables at each ancestor of `path` (root included) every controller it has available
    /// (or only those in `only`). Controllers are written one at a time so one the kernel
    /// refuses (e.g. a threaded-only constraint) does not stop the others; a resource that
    /// needs a refused controller fails later, naming the missing file.
    func enableSubtreeControllers(above path: String, only: Set<String>? = nil) throws {
        var level = root
        for component in path.split(separator: "/") {
            let available = try CgroupFiles.readTrimmed(level + "/cgroup.controllers").split(separator: " ")
            let enabled = Set(try CgroupFiles.readTrimmed(level + "/cgroup.subtree_control").split(separator: " "))
            for controller in available where !enabled.contains(controller) && only.map({ $0.contains(String(controller)) }) ?? true {
                do {
                    try CgroupFiles.write("+" + controller, to: level + "/cgroup.subtree_control")
                } catch {
                    logger.debug("cannot enable cgroup controller", metadata: [
                        "controller": "\(controller)", "cgroup": "\(level)", "error": "\(error)",
                    ])
                }
            }
            level += "/" + component
        }
    }

    public func update(path: String, resources: RuntimeSpec.Resources) throws {
        try apply(resources, path: try CgroupPath.normalize(path))
    }

    /// Writes `value` to a controller file of the cgroup; a missing file means the controller
    /// is not enabled here, which the error says.
    private func write(_ value: String, _ file: String, in directory: String, for field: String) throws {
        let filePath = directory + "/" + file
        do {
            try CgroupFiles.write(value, to: filePath)
        } catch let error as CgroupError where error.errno == ENOENT {
            let controller = file.split(separator: ".").first.map(String.init) ?? file
            throw CgroupError.unsupported("\(field) needs \(filePath): the \(controller) controller is not enabled for this cgroup")
        }
    }

    func apply(_ resources: RuntimeSpec.Resources, path: String) throws {
        let directory = directory(path)
        if let cpu = resources.cpu { try applyCPU(cpu, directory: directory) }
        if let memory = resources.memory { try applyMemory(memory, directory: directory, path: path) }
        if let pids = resources.pids {
            try write(CgroupValues.pidsMax(pids.limit), "pids.max", in: directory, for: "pids.limit")
        }
        if let blockIO = resources.blockIO { try applyBlockIO(blockIO, directory: directory, path: path) }
        for hugepage in resources.hugepageLimits ?? [] {
            try CgroupValues.validateHugepageSize(hugepage.pageSize)
            try write(String(hugepage.limit), "hugetlb.\(hugepage.pageSize).max", in: directory, for: "hugepageLimits")
        }
        if let devices = resources.devices, !devices.isEmpty {
            let program = try CgroupDeviceFilter.bytes(for: devices)
            if let deviceFilterInstaller {
                try deviceFilterInstaller.install(program: program, cgroupDirectory: directory)
            } else {
                logger.warning("device cgroup rules are not enforced: cgroup v2 needs an eBPF device program and no installer is configured",
                               metadata: ["cgroup": "\(path)", "rules": "\(devices.count)"])
            }
        }
        // Last, so explicit unified values override what the typed fields produced.
        for (key, value) in (resources.unified ?? [:]).sorted(by: { $0.key < $1.key }) {
            try writeUnified(key: key, value: value, directory: directory)
        }
    }

    /// `resources.unified`: a cgroup v2 file name and its value, written as given. The key
    /// must name a file of this cgroup (no `/`, not a `cgroup.*` core file that moves tasks).
    func writeUnified(key: String, value: String, directory: String) throws {
        guard !key.isEmpty, !key.contains("/"), !key.hasPrefix("."), key.contains("."),
              !["cgroup.procs", "cgroup.threads", "cgroup.subtree_control", "cgroup.kill"].contains(key) else {
            throw CgroupError.invalidResource("resources.unified key \"\(key)\" is not a cgroup v2 interface file we may set")
        }
        try write(value, key, in: directory, for: "resources.unified[\"\(key)\"]")
    }

    private func applyCPU(_ cpu: RuntimeSpec.CPU, directory: String) throws {
        if let cpus = cpu.cpus, !cpus.isEmpty { try write(cpus, "cpuset.cpus", in: directory, for: "cpu.cpus") }
        if let mems = cpu.mems, !mems.isEmpty { try write(mems, "cpuset.mems", in: directory, for: "cpu.mems") }
        if let shares = cpu.shares, let weight = CgroupValues.cpuWeight(fromShares: shares) {
            try write(String(weight), "cpu.weight", in: directory, for: "cpu.shares")
        }
        // cpu.max holds "$QUOTA $PERIOD" together; keep the half the config leaves unset.
        if cpu.quota != nil || (cpu.period ?? 0) != 0 {
            var quota = "max"
            var period = "100000"
            let current = (try? CgroupFiles.readTrimmed(directory + "/cpu.max"))?.split(separator: " ") ?? []
            if current.count == 2 {
                quota = String(current[0])
                period = String(current[1])
            }
            if let newQuota = cpu.quota { quota = newQuota > 0 ? String(newQuota) : "max" }
            if let newPeriod = cpu.period, newPeriod != 0 { period = String(newPeriod) }
            try write("\(quota) \(period)", "cpu.max", in: directory, for: "cpu.quota/cpu.period")
        }
        if let burst = cpu.burst { try write(String(burst), "cpu.max.burst", in: directory, for: "cpu.burst") }
        if let idle = cpu.idle { try write(String(idle), "cpu.idle", in: directory, for: "cpu.idle") }
        if (cpu.realtimeRuntime ?? 0) != 0 || (cpu.realtimePeriod ?? 0) != 0 {
            throw CgroupError.unsupported("cpu.realtimeRuntime/realtimePeriod have no cgroup v2 equivalent")
        }
    }

    private func applyMemory(_ memory: RuntimeSpec.Memory, directory: String, path: String) throws {
        let swapMax = try CgroupValues.v2SwapMax(swap: memory.swap, limit: memory.limit)
        if let limit = memory.limit, limit != 0 {
            try write(CgroupValues.v2Limit(limit, field: "memory.limit"), "memory.max", in: directory, for: "memory.limit")
        }
        if let swapMax {
            if CgroupFiles.exists(directory + "/memory.swap.max") {
                try write(swapMax, "memory.swap.max", in: directory, for: "memory.swap")
            } else if swapMax != "max" && swapMax != "0" {
                throw CgroupError.unsupported("memory.swap needs memory.swap.max (kernel without swap accounting)")
            }
        }
        if let reservation = memory.reservation, reservation != 0 {
            try write(CgroupValues.v2Limit(reservation, field: "memory.reservation"), "memory.low", in: directory, for: "memory.reservation")
        }
        if memory.swappiness != nil || memory.disableOOMKiller == true || (memory.kernel ?? 0) != 0 || (memory.kernelTCP ?? 0) != 0 {
            // cgroup2 has no per-cgroup swappiness, OOM-killer switch or kernel memory limit.
            logger.warning("memory.swappiness/disableOOMKiller/kernel/kernelTCP have no cgroup v2 equivalent and are ignored",
                           metadata: ["cgroup": "\(path)"])
        }
    }

    private func applyBlockIO(_ blockIO: RuntimeSpec.BlockIO, directory: String, path: String) throws {
        if let weight = blockIO.weight, weight != 0 {
            // BFQ takes the v1 scale directly; io.weight (io.cost) uses 1…10000.
            if CgroupFiles.exists(directory + "/io.bfq.weight") {
                try write(String(weight), "io.bfq.weight", in: directory, for: "blockIO.weight")
            } else if let converted = CgroupValues.ioWeight(fromBlkioWeight: weight) {
                try write("default \(converted)", "io.weight", in: directory, for: "blockIO.weight")
            }
        }
        if blockIO.leafWeight != nil {
            logger.warning("blockIO.leafWeight has no cgroup v2 equivalent and is ignored", metadata: ["cgroup": "\(path)"])
        }
    }

    public func addProcess(_ pid: Int32, to path: String) throws {
        let path = try CgroupPath.normalize(path)
        try CgroupFiles.write(String(pid), to: directory(path) + "/cgroup.procs")
    }

    public func stats(path: String) throws -> CgroupStats {
        let directory = directory(try CgroupPath.normalize(path))
        var stats = CgroupStats()
        if CgroupFiles.exists(directory + "/memory.current") {
            let maxFile = directory + "/memory.max"
            let peakFile = directory + "/memory.peak"
            stats.memory = CgroupStats.Memory(
                usage: try CgroupFiles.readNumber(directory + "/memory.current"),
                limit: try CgroupValues.v2Limit(parsing: CgroupFiles.readTrimmed(maxFile), path: maxFile),
                maxUsage: CgroupFiles.exists(peakFile) ? try CgroupFiles.readNumber(peakFile) : nil,
                oomKills: try CgroupFiles.readKeyed(directory + "/memory.events")["oom_kill"]
            )
        }
        // cpu.stat's usage fields are core (present without the cpu controller); the
        // throttling fields appear only when the cpu controller is enabled.
        if CgroupFiles.exists(directory + "/cpu.stat") {
            let cpu = try CgroupFiles.readKeyed(directory + "/cpu.stat")
            stats.cpu = CgroupStats.CPU(
                usageTotal: (cpu["usage_usec"] ?? 0) * 1000,
                usageUser: (cpu["user_usec"] ?? 0) * 1000,
                usageSystem: (cpu["system_usec"] ?? 0) * 1000,
                periods: cpu["nr_periods"] ?? 0,
                throttledPeriods: cpu["nr_throttled"] ?? 0,
                throttledTime: (cpu["throttled_usec"] ?? 0) * 1000
            )
        }
        if CgroupFiles.exists(directory + "/pids.current") {
            let maxFile = directory + "/pids.max"
            stats.pids = CgroupStats.Pids(
                current: try CgroupFiles.readNumber(directory + "/pids.current"),
                limit: try CgroupValues.v2Limit(parsing: CgroupFiles.readTrimmed(maxFile), path: maxFile)
            )
        }
        return stats
    }

    public func oomKillCount(path: String) throws -> UInt64 {
        let file = directory(try CgroupPath.normalize(path)) + "/memory.events"
        guard CgroupFiles.exists(file) else {
            throw CgroupError.unsupported("\(file) is missing: the memory controller is not enabled for this cgroup")
        }
        return try CgroupFiles.readKeyed(file)["oom_kill"] ?? 0
    }

    public func processes(path: String) throws -> [Int32] {
        try CgroupProcesses.list(directory: directory(try CgroupPath.normalize(path)))
    }

    /// `populated` and `frozen` from `cgroup.events`.
    func events(path: String) throws -> [String: UInt64] {
        try CgroupFiles.readKeyed(directory(try CgroupPath.normalize(path)) + "/cgroup.events")
    }

    public func setFrozen(_ frozen: Bool, path: String) throws {
        let path = try CgroupPath.normalize(path)
        let file = directory(path) + "/cgroup.freeze"
        guard CgroupFiles.exists(file) else { throw CgroupError.unsupported("\(file) is missing (kernel < 5.2)") }
        try CgroupFiles.write(frozen ? "1" : "0", to: file)
        let want: UInt64 = frozen ? 1 : 0
        do {
            try CgroupProcesses.wait(upTo: 5, "cgroup \(path) to report frozen \(want)") {
                try events(path: path)["frozen"] == want
            }
        } catch {
            if frozen { try? CgroupFiles.write("0", to: file) }
            throw error
        }
    }

    public func killAll(path: String, signal: Int32) throws {
        let path = try CgroupPath.normalize(path)
        let killFile = directory(path) + "/cgroup.kill"
        if signal == SIGKILL && CgroupFiles.exists(killFile) {
            try CgroupFiles.write("1", to: killFile)
            return
        }
        guard CgroupFiles.exists(directory(path) + "/cgroup.freeze") else {
            try CgroupProcesses.signal(try processes(path: path), with: signal, cgroup: path)
            return
        }
        try signalWhileFrozen(path: path, signal: signal, logger: logger)
    }

    public func destroy(path: String) throws {
        let directory = directory(try CgroupPath.normalize(path))
        if let deviceFilterInstaller, CgroupFiles.exists(directory) {
            // rmdir releases the programs too; detaching first keeps a failed rmdir (busy)
            // from leaving rules behind on a cgroup we meant to delete. Best effort.
            try? deviceFilterInstaller.remove(cgroupDirectory: directory)
        }
        try CgroupFiles.removeTree(directory)
    }
}
