/// Where each cgroup v1 controller is mounted.
///
/// Controllers can share one hierarchy (the common `cpu,cpuacct` or `net_cls,net_prio`
/// co-mounts), in which case they share one directory per cgroup: `directories` lists each
/// hierarchy once so a cgroup is created, joined and removed once per hierarchy.
struct CgroupV1Hierarchies: Sendable, Equatable {
    /// Controller name (`memory`, `cpu`, `name=systemd`, …) → mount point.
    let mountPoints: [String: String]

    /// Every distinct hierarchy mount point, sorted for a stable order.
    var directories: [String] { Array(Set(mountPoints.values)).sorted() }

    func mountPoint(of controller: String) -> String? { mountPoints[controller] }

    /// v1 controller names the kernel may mount (anything else in the mount options is an option).
    static let knownControllers: Set<String> = [
        "cpu", "cpuacct", "cpuset", "memory", "pids", "devices", "freezer", "blkio",
        "hugetlb", "net_cls", "net_prio", "perf_event", "rdma", "misc",
    ]

    /// Reads `/proc/self/mountinfo` and keeps the `cgroup` (v1) mounts below `root`.
    static func fromMountInfo(under root: String, mountInfoPath: String = "/proc/self/mountinfo") throws -> CgroupV1Hierarchies {
        try checked(try MountInfoEntry.readCurrent(mountInfoPath), under: root)
    }

    /// `from`, failing when no v1 hierarchy is mounted under `root`.
    static func checked(_ mounts: [MountInfoEntry], under root: String) throws -> CgroupV1Hierarchies {
        let hierarchies = from(mounts, under: root)
        if hierarchies.mountPoints.isEmpty {
            throw CgroupError.notMounted("no cgroup v1 hierarchy is mounted under \(root)")
        }
        return hierarchies
    }

    /// The controllers of each `cgroup` mount are named in its super options (`rw,cpu,cpuacct`).
    static func from(_ mounts: [MountInfoEntry], under root: String) -> CgroupV1Hierarchies {
        let prefix = root.hasSuffix("/") ? root : root + "/"
        var mountPoints: [String: String] = [:]
        for mount in mounts where mount.fileSystemType == "cgroup" && mount.mountPoint.hasPrefix(prefix) {
            for option in mount.superOptions where knownControllers.contains(option) || option.hasPrefix("name=") {
                mountPoints[option] = mount.mountPoint
            }
        }
        return CgroupV1Hierarchies(mountPoints: mountPoints)
    }
}
