import OCI
import Testing
@testable import ContainerRuntime
#if canImport(Glibc)
import Glibc
#endif

/// Resource enforcement with real processes through the HOST's manager: v1 controllers on a
/// v1 or hybrid host, cgroup2 controllers on a v2 host, so the same tests cover the v2
/// controller files wherever a cgroup2 host runs them.
@Suite(.enabled(if: CgroupTestSupport.isRoot && CgroupTestSupport.detectedMode != nil, "needs root and a cgroup filesystem"))
struct CgroupHostTests {
    let manager: any CgroupManager

    init() throws {
        manager = try makeCgroupManager()
    }

    /// A controller's file for `path`, wherever this host keeps it.
    func controllerFile(_ controller: String, _ path: String, _ name: String) throws -> String {
        switch manager.mode {
        case .v2:
            return "/sys/fs/cgroup/" + path + "/" + name
        case .v1, .hybrid:
            let hierarchies = try CgroupV1Hierarchies.fromMountInfo(under: "/sys/fs/cgroup")
            let mount = try #require(hierarchies.mountPoint(of: controller), "\(controller) is not mounted")
            return mount + "/" + path + "/" + name
        }
    }

    func isFrozen(_ path: String) throws -> Bool {
        switch manager.mode {
        case .v2: try CgroupFiles.readKeyed(controllerFile("cgroup", path, "cgroup.events"))["frozen"] == 1
        case .v1, .hybrid: try readFile(controllerFile("freezer", path, "freezer.state")) == "FROZEN"
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
            if let maxUsage = memory.maxUsage { // v2 reports it from kernel 5.19 (memory.peak)
                #expect(maxUsage > UInt64(limit) / 2 && maxUsage <= UInt64(limit), "max usage \(maxUsage)")
            }
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
            let events = try controllerFile("pids", path, "pids.events")
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
            print("cgroup \(manager.mode) cpu quota 0.5 CPU: four busy loops used \(share) CPU over \(elapsed) s, throttled in \(after.throttledPeriods - before.throttledPeriods) of \(after.periods - before.periods) periods")
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
            #expect(try isFrozen(path))
            try manager.setFrozen(false, path: path)
            #expect(try !isFrozen(path))

            // SIGTERM goes through the freeze → signal → thaw path (cgroup.kill only does SIGKILL).
            try manager.killAll(path: path, signal: SIGTERM)
            #expect(GatedProcess.terminatingSignal(family.wait()) == SIGTERM)
            try CgroupProcesses.wait(upTo: 10, "the cgroup to empty") { try manager.processes(path: path).isEmpty }
            try manager.destroy(path: path)
            #expect(throws: CgroupError.self) { try manager.processes(path: path) }
        }
    }
}
