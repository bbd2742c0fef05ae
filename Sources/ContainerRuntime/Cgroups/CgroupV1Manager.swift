import Logging
import OCI
#if canImport(Glibc)
import Glibc
#endif

/// The cgroup v1 backend: one directory per hierarchy (controller mount) for each cgroup.
///
/// Every hierarchy mounted under the root gets the cgroup (including named ones such as
/// `name=systemd`), as runc's cgroupfs driver does, so tools that look at any hierarchy
/// find the container. Co-mounted controllers (`cpu,cpuacct`) share one directory.
public struct CgroupV1Manager: CgroupManager {
    public var mode: CgroupMode { .v1 }
    let hierarchies: CgroupV1Hierarchies
    let logger = Logger(label: "skiff.runtime")

    init(hierarchies: CgroupV1Hierarchies) {
        self.hierarchies = hierarchies
    }

    /// The cgroup's directory in `controller`'s hierarchy, or `nil` if that controller is not mounted.
    func directory(_ controller: String, _ path: String) -> String? {
        hierarchies.mountPoint(of: controller).map { $0 + "/" + path }
    }

    /// Like `directory`, but a missing controller is an error naming what needed it.
    func requireDirectory(_ controller: String, _ path: String, for what: String) throws -> String {
        guard let directory = directory(controller, path) else {
            throw CgroupError.unsupported("\(what) needs the v1 \(controller) controller, which is not mounted")
        }
        return directory
    }

    public func create(path: String, resources: RuntimeSpec.Resources?) throws {
        let path = try CgroupPath.normalize(path)
        for mount in hierarchies.directories {
            try CgroupFiles.makeDirectories(mount + "/" + path)
        }
        if let cpusetMount = hierarchies.mountPoint(of: "cpuset") {
            try populateCpusets(mount: cpusetMount, path: path)
        }
        if let resources { try apply(resources, path: path) }
    }

    public func update(path: String, resources: RuntimeSpec.Resources) throws {
        let path = try CgroupPath.normalize(path)
        try apply(resources, path: path)
    }

    /// A new v1 cpuset cgroup starts with empty `cpuset.cpus`/`cpuset.mems`, and a task
    /// cannot join a cgroup whose sets are empty (ENOSPC). Copy each level's sets from its
    /// parent, top-down, unless already set (the kernel's `cgroup.clone_children` does the
    /// same, but it is a per-parent opt-in we do not control).
    private func populateCpusets(mount: String, path: String) throws {
        var parent = mount
        for component in path.split(separator: "/") {
            let current = parent + "/" + component
            for file in ["cpuset.cpus", "cpuset.mems"] {
                let own = try CgroupFiles.readTrimmed(current + "/" + file)
                if own.isEmpty {
                    try CgroupFiles.write(try CgroupFiles.readTrimmed(parent + "/" + file), to: current + "/" + file)
                }
            }
            parent = current
        }
    }

    func apply(_ resources: RuntimeSpec.Resources, path: String) throws {
        if let cpu = resources.cpu { try applyCPU(cpu, path: path) }
        if let memory = resources.memory { try applyMemory(memory, path: path) }
        if let pids = resources.pids {
            let directory = try requireDirectory("pids", path, for: "pids.limit")
            try CgroupFiles.write(CgroupValues.pidsMax(pids.limit), to: directory + "/pids.max")
        }
        if let blockIO = resources.blockIO { try applyBlockIO(blockIO, path: path) }
        for hugepage in resources.hugepageLimits ?? [] {
            try CgroupValues.validateHugepageSize(hugepage.pageSize)
            let directory = try requireDirectory("hugetlb", path, for: "hugepageLimits")
            try CgroupFiles.write(String(hugepage.limit), to: directory + "/hugetlb.\(hugepage.pageSize).limit_in_bytes")
        }
        if let devices = resources.devices, !devices.isEmpty {
            let directory = try requireDirectory("devices", path, for: "devices rules")
            for rule in devices {
                let line = try CgroupValues.v1DeviceRule(rule)
                try CgroupFiles.write(line, to: directory + (rule.allow ? "/devices.allow" : "/devices.deny"))
            }
        }
        if let unified = resources.unified, !unified.isEmpty {
            throw CgroupError.unsupported("resources.unified (\(unified.keys.sorted().joined(separator: ", "))) needs cgroup v2; this host uses v1")
        }
    }

    private func applyCPU(_ cpu: RuntimeSpec.CPU, path: String) throws {
        if cpu.cpus != nil || cpu.mems != nil {
            let directory = try requireDirectory("cpuset", path, for: "cpu.cpus/cpu.mems")
            if let cpus = cpu.cpus, !cpus.isEmpty { try CgroupFiles.write(cpus, to: directory + "/cpuset.cpus") }
            if let mems = cpu.mems, !mems.isEmpty { try CgroupFiles.write(mems, to: directory + "/cpuset.mems") }
        }
        let wantsCPUController = (cpu.shares ?? 0) != 0 || cpu.quota != nil || (cpu.period ?? 0) != 0
            || cpu.burst != nil || cpu.realtimeRuntime != nil || (cpu.realtimePeriod ?? 0) != 0 || cpu.idle != nil
        guard wantsCPUController else { return }
        let directory = try requireDirectory("cpu", path, for: "cpu shares/quota/period")
        if let shares = cpu.shares, shares != 0 {
            try CgroupFiles.write(String(shares), to: directory + "/cpu.shares")
        }
        // The kernel checks quota against period on each write, so one order can fail where
        // the other works (e.g. shrinking the period below an existing large quota): try
        // period first, and if the kernel refuses it, set the quota first and retry.
        let periodFile = directory + "/cpu.cfs_period_us"
        let quotaFile = directory + "/cpu.cfs_quota_us"
        if let period = cpu.period, period != 0 {
            do {
                try CgroupFiles.write(String(period), to: periodFile)
            } catch let error as CgroupError where error.errno == EINVAL {
                guard let quota = cpu.quota else { throw error }
                try CgroupFiles.write(String(quota), to: quotaFile)
                try CgroupFiles.write(String(period), to: periodFile)
            }
        }
        if let quota = cpu.quota {
            try CgroupFiles.write(String(quota == 0 ? -1 : quota), to: quotaFile)
        }
        if let burst = cpu.burst {
            try CgroupFiles.write(String(burst), to: directory + "/cpu.cfs_burst_us")
        }
        if let period = cpu.realtimePeriod, period != 0 {
            try CgroupFiles.write(String(period), to: directory + "/cpu.rt_period_us")
        }
        if let runtime = cpu.realtimeRuntime {
            try CgroupFiles.write(String(runtime), to: directory + "/cpu.rt_runtime_us")
        }
        if let idle = cpu.idle {
            try CgroupFiles.write(String(idle), to: directory + "/cpu.idle")
        }
    }

    private func applyMemory(_ memory: RuntimeSpec.Memory, path: String) throws {
        let directory = try requireDirectory("memory", path, for: "memory limits")
        let limitFile = directory + "/memory.limit_in_bytes"
        let swapFile = directory + "/memory.memsw.limit_in_bytes"
        if let limit = memory.limit, limit < -1 { throw CgroupError.invalidResource("memory.limit must be -1 or ≥ 0, got \(limit)") }
        if let swap = memory.swap {
            guard swap >= -1 else { throw CgroupError.invalidResource("memory.swap must be -1 or ≥ 0, got \(swap)") }
            if let limit = memory.limit, limit > 0, swap > 0, swap < limit {
                throw CgroupError.invalidResource("memory.swap (\(swap)) is memory+swap and must be ≥ memory.limit (\(limit))")
            }
        }
        // memsw is only present when the kernel accounts swap (swapaccount=1). An unlimited
        // memory limit with no swap value means "both unlimited", or the kernel would refuse
        // a memory limit above the existing memsw limit.
        let swap: Int64? = (memory.swap ?? 0) != 0 ? memory.swap : (memory.limit == -1 ? -1 : nil)
        if let swap, !CgroupFiles.exists(swapFile), swap != -1, swap != memory.limit {
            throw CgroupError.unsupported("memory.swap needs swap accounting (memory.memsw.limit_in_bytes is missing)")
        }
        let writeSwap = swap != nil && CgroupFiles.exists(swapFile)
        // The kernel keeps limit ≤ memsw at every step: when memsw grows (or becomes
        // unlimited) raise it first, otherwise lower the memory limit first.
        var swapFirst = false
        if writeSwap, let swap {
            let current = try UInt64(CgroupFiles.readTrimmed(swapFile)) ?? 0
            swapFirst = swap == -1 || UInt64(swap) > current
        }
        if swapFirst, let swap { try CgroupFiles.write(String(swap), to: swapFile) }
        if let limit = memory.limit, limit != 0 { try CgroupFiles.write(String(limit), to: limitFile) }
        if writeSwap, !swapFirst, let swap { try CgroupFiles.write(String(swap), to: swapFile) }

        if let reservation = memory.reservation, reservation != 0 {
            try CgroupFiles.write(String(reservation), to: directory + "/memory.soft_limit_in_bytes")
        }
        if let swappiness = memory.swappiness {
            guard swappiness <= 100 else { throw CgroupError.invalidResource("memory.swappiness must be 0…100, got \(swappiness)") }
            try CgroupFiles.write(String(swappiness), to: directory + "/memory.swappiness")
        }
        if memory.disableOOMKiller == true {
            try CgroupFiles.write("1", to: directory + "/memory.oom_control")
        }
        if let kernelTCP = memory.kernelTCP, kernelTCP != 0 {
            try CgroupFiles.write(String(kernelTCP), to: directory + "/memory.kmem.tcp.limit_in_bytes")
        }
        if let kernel = memory.kernel, kernel != 0 {
            // Kernel memory limits are deprecated (kernel 5.4) and ignored by newer kernels;
            // runc ignores them too. Kernel memory is charged to the memory limit anyway.
            logger.warning("memory.kernel is deprecated by the kernel and ignored", metadata: ["cgroup": "\(path)"])
        }
    }

    private func applyBlockIO(_ blockIO: RuntimeSpec.BlockIO, path: String) throws {
        guard blockIO.weight != nil || blockIO.leafWeight != nil else { return }
        let directory = try requireDirectory("blkio", path, for: "blockIO weights")
        if let weight = blockIO.weight, weight != 0 {
            // CFQ's blkio.weight is gone with the legacy block layer; BFQ offers blkio.bfq.weight.
            let file = ["/blkio.weight", "/blkio.bfq.weight"].map { directory + $0 }.first(where: CgroupFiles.exists)
            guard let file else { throw CgroupError.unsupported("blockIO.weight: no I/O scheduler with weights (CFQ/BFQ) is active") }
            try CgroupFiles.write(String(weight), to: file)
        }
        if let leafWeight = blockIO.leafWeight, leafWeight != 0 {
            let file = directory + "/blkio.leaf_weight"
            guard CgroupFiles.exists(file) else { throw CgroupError.unsupported("blockIO.leafWeight is not offered by this kernel") }
            try CgroupFiles.write(String(leafWeight), to: file)
        }
    }

    public func addProcess(_ pid: Int32, to path: String) throws {
        let path = try CgroupPath.normalize(path)
        for mount in hierarchies.directories {
            try CgroupFiles.write(String(pid), to: mount + "/" + path + "/cgroup.procs")
        }
    }

    public func stats(path: String) throws -> CgroupStats {
        let path = try CgroupPath.normalize(path)
        var stats = CgroupStats()
        if let directory = directory("memory", path) {
            stats.memory = CgroupStats.Memory(
                usage: try CgroupFiles.readNumber(directory + "/memory.usage_in_bytes"),
                limit: CgroupValues.v1Limit(try CgroupFiles.readNumber(directory + "/memory.limit_in_bytes")),
                maxUsage: try CgroupFiles.readNumber(directory + "/memory.max_usage_in_bytes"),
                oomKills: try CgroupFiles.readKeyed(directory + "/memory.oom_control")["oom_kill"]
            )
        }
        if let accounting = directory("cpuacct", path) {
            let throttling = try directory("cpu", path).map { try CgroupFiles.readKeyed($0 + "/cpu.stat") } ?? [:]
            stats.cpu = CgroupStats.CPU(
                usageTotal: try CgroupFiles.readNumber(accounting + "/cpuacct.usage"),
                usageUser: try CgroupFiles.readNumber(accounting + "/cpuacct.usage_user"),
                usageSystem: try CgroupFiles.readNumber(accounting + "/cpuacct.usage_sys"),
                periods: throttling["nr_periods"] ?? 0,
                throttledPeriods: throttling["nr_throttled"] ?? 0,
                throttledTime: throttling["throttled_time"] ?? 0
            )
        }
        if let directory = directory("pids", path) {
            let maxFile = directory + "/pids.max"
            stats.pids = CgroupStats.Pids(
                current: try CgroupFiles.readNumber(directory + "/pids.current"),
                limit: try CgroupValues.v2Limit(parsing: CgroupFiles.readTrimmed(maxFile), path: maxFile)
            )
        }
        return stats
    }

    public func oomKillCount(path: String) throws -> UInt64 {
        let path = try CgroupPath.normalize(path)
        let file = try requireDirectory("memory", path, for: "OOM kill counting") + "/memory.oom_control"
        guard let count = try CgroupFiles.readKeyed(file)["oom_kill"] else {
            throw CgroupError.unsupported("\(file) has no oom_kill counter (kernel < 4.13)")
        }
        return count
    }

    /// The hierarchy whose `cgroup.procs` we read: any one holds every task, prefer those
    /// that exist on every system.
    private var listingHierarchy: String? {
        for controller in ["pids", "freezer", "memory", "name=systemd"] {
            if let mount = hierarchies.mountPoint(of: controller) { return mount }
        }
        return hierarchies.directories.first
    }

    public func processes(path: String) throws -> [Int32] {
        let path = try CgroupPath.normalize(path)
        guard let mount = listingHierarchy else { return [] }
        return try CgroupProcesses.list(directory: mount + "/" + path)
    }

    public func setFrozen(_ frozen: Bool, path: String) throws {
        let path = try CgroupPath.normalize(path)
        let file = try requireDirectory("freezer", path, for: "freezing") + "/freezer.state"
        let target = frozen ? "FROZEN" : "THAWED"
        // Writing FROZEN starts freezing; the state reads FREEZING until every task stopped,
        // and a task that was forking can make one attempt fail, so re-issue until it holds.
        do {
            try CgroupProcesses.wait(upTo: 5, "freezer.state of \(path) to become \(target)") {
                try CgroupFiles.write(target, to: file)
                return try CgroupFiles.readTrimmed(file) == target
            }
        } catch {
            if frozen { try? CgroupFiles.write("THAWED", to: file) }
            throw error
        }
    }

    public func killAll(path: String, signal: Int32) throws {
        let path = try CgroupPath.normalize(path)
        guard directory("freezer", path) != nil else {
            // Without a freezer a forking process could escape one pass; repeat until empty for SIGKILL.
            for _ in 0..<10 {
                let pids = try processes(path: path)
                if pids.isEmpty { return }
                try CgroupProcesses.signal(pids, with: signal, cgroup: path)
                if signal != SIGKILL { return }
                usleep(10_000)
            }
            return
        }
        try signalWhileFrozen(path: path, signal: signal, logger: logger)
    }

    public func destroy(path: String) throws {
        let path = try CgroupPath.normalize(path)
        var firstError: Error?
        for mount in hierarchies.directories {
            do { try CgroupFiles.removeTree(mount + "/" + path) } catch { firstError = firstError ?? error }
        }
        if let firstError { throw firstError }
    }
}
