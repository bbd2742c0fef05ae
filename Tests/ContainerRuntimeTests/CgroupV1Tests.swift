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
}
