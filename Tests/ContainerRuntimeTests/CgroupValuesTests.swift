import OCI
import Testing
@testable import ContainerRuntime

/// Pure conversions and parsing: no kernel needed.
@Suite struct CgroupValuesTests {
    @Test func cpuSharesMapOntoWeightEndpointsAndDefault() {
        #expect(CgroupValues.cpuWeight(fromShares: 2) == 1)
        #expect(CgroupValues.cpuWeight(fromShares: 262_144) == 10_000)
        // The v1 default (1024 shares) lands near the v2 default (100): 1 + 1022×9999/262142.
        #expect(CgroupValues.cpuWeight(fromShares: 1024) == 39)
        #expect(CgroupValues.cpuWeight(fromShares: 0) == nil)
        // Out-of-range shares are clamped like the kernel clamps v1 shares.
        #expect(CgroupValues.cpuWeight(fromShares: 1) == 1)
        #expect(CgroupValues.cpuWeight(fromShares: 1_000_000) == 10_000)
    }

    @Test func blkioWeightMapsOntoIOWeight() {
        #expect(CgroupValues.ioWeight(fromBlkioWeight: 10) == 1)
        #expect(CgroupValues.ioWeight(fromBlkioWeight: 1000) == 10_000)
        #expect(CgroupValues.ioWeight(fromBlkioWeight: 0) == nil)
    }

    @Test func swapIsMemoryPlusSwapAndBecomesSwapOnlyOnV2() throws {
        #expect(try CgroupValues.v2SwapMax(swap: 512 << 20, limit: 256 << 20) == String(256 << 20))
        #expect(try CgroupValues.v2SwapMax(swap: 256 << 20, limit: 256 << 20) == "0")
        #expect(try CgroupValues.v2SwapMax(swap: -1, limit: 256 << 20) == "max")
        #expect(try CgroupValues.v2SwapMax(swap: nil, limit: 256 << 20) == nil)
        #expect(try CgroupValues.v2SwapMax(swap: nil, limit: -1) == "max")
        #expect(throws: CgroupError.self) { try CgroupValues.v2SwapMax(swap: 100, limit: 200) }
        #expect(throws: CgroupError.self) { try CgroupValues.v2SwapMax(swap: 100, limit: nil) }
        #expect(throws: CgroupError.self) { try CgroupValues.v2SwapMax(swap: -5, limit: 100) }
    }

    @Test func pidsAndLimitsUseMaxForUnlimited() throws {
        #expect(CgroupValues.pidsMax(0) == "max")
        #expect(CgroupValues.pidsMax(-1) == "max")
        #expect(CgroupValues.pidsMax(64) == "64")
        #expect(try CgroupValues.v2Limit(-1, field: "x") == "max")
        #expect(throws: CgroupError.self) { try CgroupValues.v2Limit(-2, field: "x") }
        #expect(CgroupValues.v1Limit(9_223_372_036_854_771_712) == nil)
        #expect(CgroupValues.v1Limit(1 << 20) == 1 << 20)
    }

    @Test func deviceRulesUseStarsForWildcards() throws {
        #expect(try CgroupValues.v1DeviceRule(.init(allow: false, access: "rwm")) == "a *:* rwm")
        #expect(try CgroupValues.v1DeviceRule(.init(allow: true, type: "c", major: 1, minor: 3, access: "rw")) == "c 1:3 rw")
        #expect(try CgroupValues.v1DeviceRule(.init(allow: true, type: "c", major: 136, minor: -1, access: "rwm")) == "c 136:* rwm")
        #expect(throws: CgroupError.self) { try CgroupValues.v1DeviceRule(.init(allow: true, type: "x")) }
        #expect(throws: CgroupError.self) { try CgroupValues.v1DeviceRule(.init(allow: true, type: "c", access: "rwx")) }
    }

    @Test(arguments: ["", "/", "a/../b", "..", "a/./b", "a\u{0}b"])
    func rejectsPathsThatEscapeOrNameTheRoot(_ path: String) {
        #expect(throws: CgroupError.self) { try CgroupPath.normalize(path) }
    }

    @Test func normalizesLeadingAndDoubleSlashes() throws {
        #expect(try CgroupPath.normalize("/skiff//pod1/c1/") == "skiff/pod1/c1")
    }
}

@Suite struct CgroupMountInfoTests {
    /// A hybrid host's mount table, shaped like /proc/self/mountinfo (proc(5)).
    static let hybrid = """
    31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
    32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct
    34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset,clone_children
    35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
    38 31 0:35 / /sys/fs/cgroup/net_cls,net_prio rw - cgroup cgroup rw,net_cls,net_prio
    40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
    41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw,nsdelegate
    50 23 0:40 / /mnt/with\\040space rw - cgroup cgroup rw,pids
    """

    @Test func findsCombinedAndNamedHierarchies() {
        let hierarchies = CgroupV1Hierarchies.from(MountInfoEntry.parse(Self.hybrid), under: "/sys/fs/cgroup")
        #expect(hierarchies.mountPoint(of: "cpu") == "/sys/fs/cgroup/cpu,cpuacct")
        #expect(hierarchies.mountPoint(of: "cpuacct") == "/sys/fs/cgroup/cpu,cpuacct")
        #expect(hierarchies.mountPoint(of: "name=systemd") == "/sys/fs/cgroup/systemd")
        #expect(hierarchies.mountPoint(of: "clone_children") == nil)
        #expect(hierarchies.mountPoint(of: "pids") == nil, "mounts outside the root are ignored")
        // One directory per hierarchy, even for co-mounted controllers.
        #expect(hierarchies.directories == [
            "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup/cpuset", "/sys/fs/cgroup/memory",
            "/sys/fs/cgroup/net_cls,net_prio", "/sys/fs/cgroup/systemd",
        ])
    }

    @Test func unescapesMountPoints() {
        let hierarchies = CgroupV1Hierarchies.from(MountInfoEntry.parse(Self.hybrid), under: "/mnt")
        #expect(hierarchies.mountPoint(of: "pids") == "/mnt/with space")
    }

    @Test func detectsEachLayout() throws {
        let mounts = MountInfoEntry.parse(Self.hybrid)
        #expect(try CgroupMode.detect(root: "/sys/fs/cgroup", mounts: mounts) == .hybrid)
        let v1Only = mounts.filter { $0.fileSystemType != "cgroup2" }
        #expect(try CgroupMode.detect(root: "/sys/fs/cgroup", mounts: v1Only) == .v1)
        let v2 = MountInfoEntry.parse("25 23 0:22 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate")
        #expect(try CgroupMode.detect(root: "/sys/fs/cgroup/", mounts: v2) == .v2)
        #expect(throws: CgroupError.self) { try CgroupMode.detect(root: "/nowhere", mounts: mounts) }
    }
}
