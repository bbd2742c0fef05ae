import Foundation
import Testing
@testable import ContainerRuntime
import LinuxSystem
import OCI

/// Cgroup limits hold inside a container: memory (OOM kill reported), pids, cpu quota.
@Suite("Runtime resources", .serialized, .enabled(if: isRoot, "\(rootOnly)"))
struct RuntimeResourceTests {
    @Test("a memory limit OOM-kills the container and the kill is reported")
    func memoryLimit() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        // `tail` of an endless stream without newlines buffers it all.
        let bundle = try sandbox.bundle(["tail", "/dev/zero"]) { spec in
            spec.linux?.resources = .init(memory: .init(limit: 32 << 20, swap: 32 << 20))
        }
        let result = try sandbox.run("oom", bundle: bundle)
        #expect(result.exit.signal == SIGKILL)
        #expect(result.exit.exitCode == 128 + SIGKILL)
        #expect(result.exit.oomKilled, "the exit record must say the OOM killer struck")
    }

    @Test("pids.max stops a fork bomb and the host is unaffected")
    func pidsLimit() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let bomb = "bomb() { bomb | bomb & }; bomb; sleep 1; echo survived"
        let bundle = try sandbox.bundle(["sh", "-c", bomb]) { spec in
            spec.linux?.resources = .init(pids: .init(limit: 32))
        }
        var options = sandbox.options
        options.containerLog = sandbox.directory + "/bomb.log"
        let record = try sandbox.runtime.create(id: "bomb", bundle: bundle, options: options)
        try sandbox.runtime.start(id: "bomb")
        var peak: UInt64 = 0
        let clock = ContinuousClock()
        let end = clock.now.advanced(by: .seconds(2))
        while clock.now < end {
            let stats = try sandbox.cgroups.stats(path: try #require(record.cgroupPath))
            peak = max(peak, stats.pids?.current ?? 0)
            usleep(50_000)
        }
        #expect(peak > 1 && peak <= 32, "pids.current peaked at \(peak)")
        // The host can still start processes.
        let host = Process()
        host.executableURL = URL(fileURLWithPath: "/bin/true")
        try host.run()
        host.waitUntilExit()
        #expect(host.terminationStatus == 0)
        try sandbox.runtime.delete(id: "bomb", force: true)
        let log = try String(contentsOfFile: options.containerLog ?? "", encoding: .utf8)
        #expect(log.contains("can't fork") || log.contains("Resource temporarily unavailable"), "log: \(log.prefix(400))")
    }

    @Test("a cpu quota of half a core holds a busy loop near 50%")
    func cpuQuota() throws {
        let sandbox = try RuntimeSandbox()
        defer { sandbox.finish() }
        let bundle = try sandbox.bundle(["sh", "-c", "while :; do :; done"]) { spec in
            spec.linux?.resources = .init(cpu: .init(quota: 50_000, period: 100_000))
        }
        let record = try sandbox.runtime.create(id: "busy", bundle: bundle, options: sandbox.options)
        try sandbox.runtime.start(id: "busy")
        let path = try #require(record.cgroupPath)
        usleep(200_000)
        let clock = ContinuousClock()
        let before = try #require(try sandbox.cgroups.stats(path: path).cpu?.usageTotal)
        let start = clock.now
        usleep(2_000_000)
        let after = try #require(try sandbox.cgroups.stats(path: path).cpu?.usageTotal)
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let share = Double(after - before) / 1e9 / seconds
        let cpu = try #require(try sandbox.cgroups.stats(path: path).cpu)
        // The quota caps the loop: never above the band.
        #expect(share < 0.70, "cpu share \(share)")
        // Reaching the band (and being throttled there) needs half a core to be free: on a
        // machine saturated by others the loop gets less and the quota never bites.
        var load = [Double](repeating: 0, count: 1)
        _ = getloadavg(&load, 1)
        let saturated = load[0] > Double(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        #expect((share > 0.30 && cpu.throttledPeriods > 0) || saturated,
                "cpu share \(share), throttled periods \(cpu.throttledPeriods), load \(load[0])")
        try sandbox.runtime.delete(id: "busy", force: true)
    }
}
