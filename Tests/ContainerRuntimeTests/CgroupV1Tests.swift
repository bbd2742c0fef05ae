import OCI
import Testing
@testable import ContainerRuntime
#if canImport(Glibc)
import Glibc
#endif

/// The v1 backend against the host's real v1 hierarchies (v1 or hybrid hosts), as root.
@Suite(.enabled(if: CgroupTestSupport.isRoot && CgroupTestSupport.hasV1, "needs root and cgroup v1 controllers"))
struct CgroupV1Tests {
    let manager: any CgroupManager
    let hierarchies: CgroupV1Hierarchies

    init() throws {
        manager = try makeCgroupManager(mode: .v1)
        hierarchies = try CgroupV1Hierarchies.fromMountInfo(under: "/sys/fs/cgroup")
    }

    func file(_ controller: String, _ path: String, _ name: String) throws -> String {
        let mount = try #require(hierarchies.mountPoint(of: controller), "\(controller) is not mounted")
        return try readFile(mount + "/" + path + "/" + name)
    }

    @Test func createWritesLimitsUpdateReordersSwapAndDestroyLeavesNothing() throws {
        let mib: Int64 = 1 << 20
        try CgroupTestSupport.withTestCgroup(manager) { parent in
            let path = parent + "/pod/c1"
            let resources = RuntimeSpec.Resources(
                devices: [.init(allow: false, access: "rwm"), .init(allow: true, type: "c", major: 1, minor: 3, access: "rwm")],
                memory: .init(limit: 64 * mib, reservation: 32 * mib, swap: 64 * mib),
                cpu: .init(shares: 512, quota: 20_000, period: 100_000, cpus: "0"),
                pids: .init(limit: 42)
            )
            try manager.create(path: path, resources: resources)
            for directory in hierarchies.directories {
                #expect(CgroupFiles.isDirectory(directory + "/" + path), "missing in \(directory)")
            }
            #expect(try file("memory", path, "memory.limit_in_bytes") == String(64 * mib))
            #expect(try file("memory", path, "memory.soft_limit_in_bytes") == String(32 * mib))
            if CgroupFiles.exists(hierarchies.mountPoint(of: "memory")! + "/memory.memsw.limit_in_bytes") {
                #expect(try file("memory", path, "memory.memsw.limit_in_bytes") == String(64 * mib))
            }
            #expect(try file("cpu", path, "cpu.shares") == "512")
            #expect(try file("cpu", path, "cpu.cfs_quota_us") == "20000")
            #expect(try file("cpu", path, "cpu.cfs_period_us") == "100000")
            #expect(try file("pids", path, "pids.max") == "42")
            #expect(try file("cpuset", path, "cpuset.cpus") == "0")
            // v1 cpusets start empty; every new level must have been filled from its parent.
            #expect(try !file("cpuset", parent + "/pod", "cpuset.cpus").isEmpty)
            #expect(try !file("cpuset", parent + "/pod", "cpuset.mems").isEmpty)
            #expect(try file("devices", path, "devices.list") == "c 1:3 rwm")

            // Growing memory+swap must raise memsw before the limit, shrinking the other way round.
            try manager.update(path: path, resources: .init(memory: .init(limit: 128 * mib, swap: 256 * mib)))
            #expect(try file("memory", path, "memory.limit_in_bytes") == String(128 * mib))
            try manager.update(path: path, resources: .init(memory: .init(limit: 16 * mib, swap: 16 * mib)))
            #expect(try file("memory", path, "memory.limit_in_bytes") == String(16 * mib))
            // Unlimited memory without a swap value lifts the memsw limit too (else the kernel refuses).
            try manager.update(path: path, resources: .init(memory: .init(limit: -1)))
            #expect(try manager.stats(path: path).memory?.limit == nil)
            try manager.update(path: path, resources: .init(pids: .init(limit: 0)))
            #expect(try file("pids", path, "pids.max") == "max")

            #expect(throws: CgroupError.self) {
                try manager.update(path: path, resources: .init(memory: .init(limit: 64 * mib, swap: 32 * mib)))
            }
            #expect(throws: CgroupError.self) {
                try manager.update(path: path, resources: .init(unified: ["memory.high": "1M"]))
            }

            try manager.destroy(path: path)
            for directory in hierarchies.directories {
                #expect(!CgroupFiles.exists(directory + "/" + path), "left behind in \(directory)")
            }
            try manager.destroy(path: path) // idempotent
        }
    }

    @Test func oomKillerKillsAndIsCountedForARealProcess() throws {
        let limit: Int64 = 32 << 20
        try CgroupTestSupport.withTestCgroup(manager) { parent in
            let path = parent + "/hog"
            try manager.create(path: path, resources: .init(memory: .init(limit: limit, swap: limit)))
            #expect(try manager.oomKillCount(path: path) == 0)
            // tail keeps the whole "line" of /dev/zero in memory: it grows until killed.
            let hog = try GatedProcess(script: "exec tail /dev/zero")
            try manager.addProcess(hog.pid, to: path)
            hog.release()
            let status = hog.wait()
            #expect(GatedProcess.terminatingSignal(status) == SIGKILL)
            #expect(try manager.oomKillCount(path: path) >= 1)
            let memory = try #require(try manager.stats(path: path).memory)
            #expect(memory.limit == UInt64(limit))
            #expect(memory.oomKills ?? 0 >= 1)
            let maxUsage = try #require(memory.maxUsage)
            #expect(maxUsage > UInt64(limit) / 2 && maxUsage <= UInt64(limit), "max usage \(maxUsage)")
        }
    }

    @Test func pidsLimitRefusesForks() throws {
        try CgroupTestSupport.withTestCgroup(manager) { parent in
            let path = parent + "/forker"
            try manager.create(path: path, resources: .init(pids: .init(limit: 5)))
            let sleeps = Array(repeating: "sleep 60 &", count: 12).joined(separator: " ")
            let forker = try GatedProcess(script: "\(sleeps) wait")
            try manager.addProcess(forker.pid, to: path)
            forker.release()
            let events = hierarchies.mountPoint(of: "pids")! + "/" + path + "/pids.events"
            // The kernel counts every fork it refused because of pids.max.
            try CgroupProcesses.wait(upTo: 20, "a refused fork") {
                try CgroupFiles.readKeyed(events)["max"] ?? 0 > 0
            }
            let pids = try #require(try manager.stats(path: path).pids)
            #expect(pids.limit == 5)
            #expect(pids.current <= 5)
            #expect(try manager.processes(path: path).count <= 5)
            try manager.killAll(path: path, signal: SIGKILL)
            forker.wait()
            try CgroupProcesses.wait(upTo: 10, "the cgroup to empty") { try manager.processes(path: path).isEmpty }
        }
    }

    /// Four busy loops would take every CPU they can get; a 50 ms per 100 ms quota caps the
    /// whole cgroup at half a CPU. Measured from the cgroup's own CPU accounting over ~2 s.
    /// Maximum shares make the group win against the machine's other work, so it really
    /// reaches the quota and gets throttled even on a busy machine; the quota keeps it from
    /// taking more than half a CPU from anyone.
    @Test func cpuQuotaHoldsBusyLoopsNearHalfACPU() throws {
        try CgroupTestSupport.withTestCgroup(manager) { parent in
            let path = parent + "/spin"
            // Shares count against siblings at each level, so the test parent needs them too.
            try manager.update(path: parent, resources: .init(cpu: .init(shares: 262_144)))
            try manager.create(path: path, resources: .init(cpu: .init(shares: 262_144, quota: 50_000, period: 100_000)))
            let loop = "while :; do :; done"
            let spinner = try GatedProcess(script: "(\(loop)) & (\(loop)) & (\(loop)) & \(loop)")
            try manager.addProcess(spinner.pid, to: path)
            spinner.release()
            let before = try #require(try manager.stats(path: path).cpu)
            let start = monotonicSeconds()
            usleep(2_000_000)
            let after = try #require(try manager.stats(path: path).cpu)
            let elapsed = monotonicSeconds() - start
            try manager.killAll(path: path, signal: SIGKILL)
            spinner.wait()
            let share = Double(after.usageTotal - before.usageTotal) / 1e9 / elapsed
            print("cgroup v1 cpu quota 0.5 CPU: four busy loops used \(share) CPU over \(elapsed) s, throttled in \(after.throttledPeriods - before.throttledPeriods) of \(after.periods - before.periods) periods")
            #expect(share > 0.01 && share < 0.75, "busy loops used \(share) CPU under a 0.5 CPU quota")
            #expect(after.throttledPeriods > before.throttledPeriods, "the quota never throttled the loops")
            #expect(after.usageUser + after.usageSystem > 0)
        }
    }

    @Test func freezeStopsAndKillAllSignalsEveryProcess() throws {
        try CgroupTestSupport.withTestCgroup(manager) { parent in
            let path = parent + "/family"
            try manager.create(path: path, resources: nil)
            let family = try GatedProcess(script: "sleep 60 & sleep 60 & sleep 60 & wait")
            try manager.addProcess(family.pid, to: path)
            family.release()
            try CgroupProcesses.wait(upTo: 10, "the sleeps to start") { try manager.processes(path: path).count == 4 }
            #expect(try manager.processes(path: path).contains(family.pid))

            try manager.setFrozen(true, path: path)
            #expect(try file("freezer", path, "freezer.state") == "FROZEN")
            try manager.setFrozen(false, path: path)
            #expect(try file("freezer", path, "freezer.state") == "THAWED")

            // SIGTERM goes through the freeze → signal → thaw path (cgroup.kill only does SIGKILL).
            try manager.killAll(path: path, signal: SIGTERM)
            #expect(GatedProcess.terminatingSignal(family.wait()) == SIGTERM)
            try CgroupProcesses.wait(upTo: 10, "the cgroup to empty") { try manager.processes(path: path).isEmpty }
            try manager.destroy(path: path)
            #expect(throws: CgroupError.self) { try manager.processes(path: path) }
        }
    }
}
