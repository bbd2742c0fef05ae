import OCI
import Testing
@testable import ContainerRuntime
#if canImport(Glibc)
import Glibc
#endif

/// The hybrid backend on a real hybrid host: v1 controllers plus the same path in the
/// controller-less cgroup2 at /sys/fs/cgroup/unified.
@Suite(.enabled(if: CgroupTestSupport.isRoot && CgroupTestSupport.detectedMode == .hybrid, "needs root on a hybrid cgroup host"))
struct CgroupHybridTests {
    let unifiedRoot = "/sys/fs/cgroup/unified"

    @Test func detectedAndTracksProcessesInBothHierarchies() throws {
        let manager = try makeCgroupManager()
        #expect(manager.mode == .hybrid)
        try CgroupTestSupport.withTestCgroup(manager) { parent in
            let path = parent + "/c1"
            try manager.create(path: path, resources: .init(memory: .init(limit: 64 << 20), unified: ["cgroup.max.descendants": "3"]))
            #expect(try readFile("/sys/fs/cgroup/memory/\(path)/memory.limit_in_bytes") == String(64 << 20))
            #expect(try readFile("\(unifiedRoot)/\(path)/cgroup.max.descendants") == "3")

            let sleeper = try GatedProcess(script: "exec sleep 60")
            try manager.addProcess(sleeper.pid, to: path)
            sleeper.release()
            #expect(try CgroupFiles.readPids("\(unifiedRoot)/\(path)/cgroup.procs") == [sleeper.pid])
            #expect(try manager.processes(path: path) == [sleeper.pid])
            #expect(try CgroupFiles.readKeyed("\(unifiedRoot)/\(path)/cgroup.events")["populated"] == 1)
            #expect(try manager.stats(path: path).memory?.limit == 64 << 20)

            // SIGKILL goes through the unified cgroup.kill.
            try manager.killAll(path: path, signal: SIGKILL)
            #expect(GatedProcess.terminatingSignal(sleeper.wait()) == SIGKILL)
            try CgroupProcesses.wait(upTo: 10, "populated 0") {
                try CgroupFiles.readKeyed("\(unifiedRoot)/\(path)/cgroup.events")["populated"] == 0
            }
            try manager.destroy(path: path)
            #expect(!CgroupFiles.exists("\(unifiedRoot)/\(path)"))
            #expect(!CgroupFiles.exists("/sys/fs/cgroup/memory/\(path)"))
            #expect(!CgroupFiles.exists("/sys/fs/cgroup/pids/\(path)"))
        }
    }

    @Test func unifiedKeysThatAreNotCgroupFilesAreRejected() throws {
        let manager = try makeCgroupManager()
        try CgroupTestSupport.withTestCgroup(manager) { parent in
            #expect(throws: CgroupError.self) {
                try manager.update(path: parent, resources: .init(unified: ["../memory.max": "1"]))
            }
            #expect(throws: CgroupError.self) {
                try manager.update(path: parent, resources: .init(unified: ["memory.high": "1M"]))
            }
        }
    }
}
