import Foundation
import OCI
import Testing
@testable import ContainerRuntime
#if canImport(Glibc)
import Glibc
#endif

/// The v2 backend on the host's real cgroup2 hierarchy (the root on a v2 host, the unified
/// mount on a hybrid host). On a hybrid host that hierarchy offers only the controllers no v1
/// hierarchy has bound (here: hugetlb), so memory/cpu/pids files cannot exist there: a
/// controller is active in exactly one hierarchy, and moving memory/cpu/pids to cgroup2
/// means unmounting the host's v1 hierarchies. Those file writes are covered by the
/// labelled fake-layout test below; everything else runs on the real kernel.
///
/// Serialized: the tests enable controllers at the hierarchy root and restore it afterwards.
@Suite(.serialized, .enabled(if: CgroupTestSupport.isRoot && CgroupTestSupport.unifiedRoot != nil, "needs root and a cgroup2 hierarchy"))
struct CgroupV2Tests {
    let root: String
    let manager: CgroupV2Manager

    init() throws {
        root = try #require(CgroupTestSupport.unifiedRoot)
        manager = CgroupV2Manager(root: root)
    }

    /// Runs `body`, then puts the root's `cgroup.subtree_control` back as it was.
    func restoringRootControllers(_ body: () throws -> Void) throws {
        let before = Set(try readFile(root + "/cgroup.subtree_control").split(separator: " "))
        defer {
            let after = (try? readFile(root + "/cgroup.subtree_control").split(separator: " ")) ?? []
            for controller in after where !before.contains(controller) {
                try? CgroupFiles.write("-" + controller, to: root + "/cgroup.subtree_control")
            }
        }
        try body()
    }

    @Test func nestedLifecycleWithFreezeEventsKillAndDestroy() throws {
        try restoringRootControllers {
            try CgroupTestSupport.withTestCgroup(manager) { parent in
                let path = parent + "/pod/c1"
                try manager.create(path: path, resources: nil)
                #expect(CgroupFiles.isDirectory(root + "/" + path))
                #expect(try manager.events(path: path)["populated"] == 0)

                let spinner = try GatedProcess(script: "while :; do :; done")
                try manager.addProcess(spinner.pid, to: path)
                spinner.release()
                #expect(try manager.processes(path: path) == [spinner.pid])
                #expect(try manager.processes(path: parent) == [spinner.pid], "descendants are listed")
                #expect(try manager.events(path: path)["populated"] == 1)
                #expect(try manager.events(path: parent)["populated"] == 1)

                try manager.setFrozen(true, path: path)
                #expect(try manager.events(path: path)["frozen"] == 1)
                // A frozen task cannot run: its CPU time stands still.
                let frozenUsage = try #require(try manager.stats(path: path).cpu).usageTotal
                usleep(200_000)
                #expect(try #require(try manager.stats(path: path).cpu).usageTotal == frozenUsage)
                try manager.setFrozen(false, path: path)
                #expect(try manager.events(path: path)["frozen"] == 0)
                try CgroupProcesses.wait(upTo: 10, "the thawed loop to run again") {
                    try #require(try manager.stats(path: path).cpu).usageTotal > frozenUsage
                }

                try manager.killAll(path: path, signal: SIGKILL)
                #expect(GatedProcess.terminatingSignal(spinner.wait()) == SIGKILL)
                try CgroupProcesses.wait(upTo: 10, "populated 0") { try manager.events(path: path)["populated"] == 0 }
                try manager.destroy(path: parent + "/pod")
                #expect(!CgroupFiles.exists(root + "/" + parent + "/pod"))
                try manager.destroy(path: parent + "/pod")
            }
        }
    }

    @Test func killAllWithOtherSignalsFreezesSignalsAndThaws() throws {
        try restoringRootControllers {
            try CgroupTestSupport.withTestCgroup(manager) { parent in
                let path = parent + "/c1"
                try manager.create(path: path, resources: nil)
                let family = try GatedProcess(script: "sleep 60 & sleep 60 & wait")
                try manager.addProcess(family.pid, to: path)
                family.release()
                try CgroupProcesses.wait(upTo: 10, "the sleeps to start") { try manager.processes(path: path).count == 3 }
                try manager.killAll(path: path, signal: SIGTERM)
                #expect(GatedProcess.terminatingSignal(family.wait()) == SIGTERM)
                try CgroupProcesses.wait(upTo: 10, "the cgroup to empty") { try manager.processes(path: path).isEmpty }
                #expect(try manager.events(path: path)["frozen"] == 0, "left frozen")
            }
        }
    }

    /// Real controller writes on cgroup2 with a controller that no v1 hierarchy owns.
    @Test func enablesControllersDownTheTreeAndWritesTheirFiles() throws {
        let available = try readFile(root + "/cgroup.controllers").split(separator: " ").map(String.init)
        guard available.contains("hugetlb"), CgroupFiles.exists("/sys/kernel/mm/hugepages/hugepages-2048kB") else {
            Issue.record("no hugetlb controller with 2MB pages on this cgroup2 hierarchy; real v2 controller writes untested")
            return
        }
        try restoringRootControllers {
            try CgroupTestSupport.withTestCgroup(manager) { parent in
                let path = parent + "/pod/c1"
                let twoPages: UInt64 = 4 << 20
                // (HugepageLimit has no public memberwise init; build it the way config.json arrives.)
                let resources = try JSONDecoder().decode(RuntimeSpec.Resources.self, from: Data(
                    #"{"hugepageLimits": [{"pageSize": "2MB", "limit": \#(twoPages)}]}"#.utf8))
                do {
                    try manager.create(path: path, resources: resources)
                } catch let error as CgroupError where !((try? readFile(root + "/cgroup.subtree_control")) ?? "").contains("hugetlb") {
                    // Inside a cgroup namespace whose root holds processes (a CI container),
                    // the kernel refuses to enable controllers there ("no internal processes").
                    print("skipping real v2 controller writes: cannot enable hugetlb at \(root): \(error)")
                    return
                }
                #expect(try readFile(root + "/cgroup.subtree_control").split(separator: " ").contains("hugetlb"))
                #expect(try readFile(root + "/" + parent + "/pod/cgroup.subtree_control").split(separator: " ").contains("hugetlb"))
                #expect(try readFile(root + "/" + path + "/hugetlb.2MB.max") == String(twoPages))

                try manager.update(path: path, resources: .init(unified: ["hugetlb.2MB.max": "max"]))
                #expect(try readFile(root + "/" + path + "/hugetlb.2MB.max") == "max")

                // A controller this hierarchy does not have: the error names the file and why.
                do {
                    try manager.update(path: path, resources: .init(pids: .init(limit: 10)))
                    if !available.contains("pids") { Issue.record("pids.max written without a pids controller") }
                } catch let error as CgroupError {
                    #expect(!available.contains("pids"))
                    #expect(error.description.contains("pids.max") && error.description.contains("not enabled"))
                }
            }
        }
    }
}

extension CgroupV2Tests {
    /// On a hybrid host whose hugetlb controller is not mounted as v1 it lives in the unified
    /// hierarchy: the hybrid manager puts hugepage limits there. (In this serialized suite
    /// because it changes the unified root's controllers, like the tests above.)
    @Test(.enabled(if: CgroupTestSupport.detectedMode == .hybrid, "hybrid hosts only"))
    func hybridPutsHugepageLimitsInTheUnifiedHierarchy() throws {
        let available = try readFile(root + "/cgroup.controllers").split(separator: " ")
        let hybrid = try makeCgroupManager()
        guard available.contains("hugetlb"), CgroupFiles.exists("/sys/kernel/mm/hugepages/hugepages-2048kB") else {
            print("skipping: hugetlb is not a cgroup2 controller on this hybrid host")
            return
        }
        try restoringRootControllers {
            try CgroupTestSupport.withTestCgroup(hybrid) { parent in
                let path = parent + "/c1"
                let resources = try JSONDecoder().decode(RuntimeSpec.Resources.self, from: Data(
                    #"{"memory": {"limit": 67108864}, "hugepageLimits": [{"pageSize": "2MB", "limit": 2097152}]}"#.utf8))
                try hybrid.create(path: path, resources: resources)
                #expect(try readFile(root + "/" + path + "/hugetlb.2MB.max") == "2097152")
                #expect(try hybrid.stats(path: path).memory?.limit == 64 << 20)
            }
        }
    }
}

/// EXTRA fast unit test on a temporary directory laid out like a cgroup2 leaf: checks the v2
/// file names and value formats for the controllers the real hierarchy here lacks (memory,
/// cpu, pids, cpuset, io). Not a substitute for the real-kernel tests above.
@Suite struct CgroupV2FakeLayoutTests {
    @Test func writesV2ValuesForOCIResources() throws {
        var template = Array("/tmp/skiff-cgroup-fake-XXXXXX".utf8CString)
        let base = try template.withUnsafeMutableBufferPointer { buffer in
            guard let result = mkdtemp(buffer.baseAddress!) else {
                throw CgroupError.system(operation: "mkdtemp", path: "/tmp", errno: errno)
            }
            return String(cString: result)
        }
        defer { removeTemporaryTree(base) }
        let leaf = base + "/skiff/c1"
        try CgroupFiles.makeDirectories(leaf)
        let files = ["memory.max", "memory.swap.max", "memory.low", "cpu.weight", "cpu.max", "pids.max",
                     "cpuset.cpus", "cpuset.mems", "io.weight"]
        for name in files { try createEmpty(leaf + "/" + name) }
        try writeFresh(leaf + "/cpu.max", "max 100000")

        let manager = CgroupV2Manager(root: base, enableControllers: false)
        let mib: Int64 = 1 << 20
        var resources = RuntimeSpec.Resources(
            memory: .init(limit: 256 * mib, reservation: 128 * mib, swap: 512 * mib),
            cpu: .init(shares: 1024, quota: 50_000, period: nil, cpus: "0-1", mems: "0"),
            pids: .init(limit: 100)
        )
        resources.blockIO = try JSONDecoder().decode(RuntimeSpec.BlockIO.self, from: Data(#"{"weight": 500}"#.utf8))
        try manager.create(path: "skiff/c1", resources: resources)
        #expect(try readFile(leaf + "/memory.max") == String(256 * mib))
        #expect(try readFile(leaf + "/memory.swap.max") == String(256 * mib), "swap.max is swap − limit")
        #expect(try readFile(leaf + "/memory.low") == String(128 * mib))
        #expect(try readFile(leaf + "/cpu.weight") == "39")
        #expect(try readFile(leaf + "/cpu.max") == "50000 100000", "period kept from the file")
        #expect(try readFile(leaf + "/pids.max") == "100")
        #expect(try readFile(leaf + "/cpuset.cpus") == "0-1")
        #expect(try readFile(leaf + "/io.weight") == "default 4950")

        try writeFresh(leaf + "/cpu.max", "50000 100000")
        try manager.update(path: "skiff/c1", resources: .init(cpu: .init(period: 200_000)))
        #expect(try readFile(leaf + "/cpu.max") == "50000 200000", "quota kept when only the period changes")

        #expect(throws: CgroupError.self) {
            try manager.update(path: "skiff/c1", resources: .init(unified: ["memory.high": "1G"]))
        }
        #expect(throws: CgroupError.self) {
            try manager.update(path: "skiff/c1", resources: .init(unified: ["cgroup.procs": "1"]))
        }
    }

    private func createEmpty(_ path: String) throws {
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o644)
        guard fd >= 0 else { throw CgroupError.system(operation: "create", path: path, errno: errno) }
        close(fd)
    }

    /// Regular files keep old bytes past a shorter write; a cgroup file does not. Truncate first.
    private func writeFresh(_ path: String, _ value: String) throws {
        try createEmpty(path)
        try CgroupFiles.write(value, to: path)
    }
}
