import OCI
#if canImport(Glibc)
import Glibc
#endif

/// The hybrid backend: controllers and resources through v1, and the same path created in the
/// cgroup2 hierarchy (`<root>/unified`) as runc, crun and systemd do. The unified cgroup gives
/// a race-free `cgroup.kill` and `cgroup.events` even on a v1 host.
///
/// A controller the kernel has but no v1 hierarchy mounts shows up in the unified
/// hierarchy instead (on some hosts hugetlb). Hugepage limits then go there: hugetlb is
/// enabled down the container's unified path and `hugetlb.<size>.max` is written.
public struct CgroupHybridManager: CgroupManager {
    public var mode: CgroupMode { .hybrid }
    let v1: CgroupV1Manager
    let unified: CgroupV2Manager

    init(v1: CgroupV1Manager, unified: CgroupV2Manager) {
        self.v1 = v1
        self.unified = unified
    }

    public func create(path: String, resources: RuntimeSpec.Resources?) throws {
        try v1.create(path: path, resources: resources.map(v1Part))
        try unified.create(path: path, resources: nil)
        if let resources { try applyToUnified(resources, path: path) }
    }

    public func update(path: String, resources: RuntimeSpec.Resources) throws {
        try v1.update(path: path, resources: v1Part(resources))
        try applyToUnified(resources, path: path)
    }

    /// Whether hugepage limits go to the unified hierarchy (hugetlb not mounted as v1).
    private var hugetlbIsUnified: Bool {
        v1.hierarchies.mountPoint(of: "hugetlb") == nil
    }

    /// What the v1 hierarchies take: everything but `unified` and unified-hosted hugetlb.
    private func v1Part(_ resources: RuntimeSpec.Resources) -> RuntimeSpec.Resources {
        var part = resources
        part.unified = nil
        if hugetlbIsUnified { part.hugepageLimits = nil }
        return part
    }

    private func applyToUnified(_ resources: RuntimeSpec.Resources, path: String) throws {
        if hugetlbIsUnified, let limits = resources.hugepageLimits, !limits.isEmpty {
            let normalized = try CgroupPath.normalize(path)
            try unified.enableSubtreeControllers(above: normalized, only: ["hugetlb"])
            var hugetlb = RuntimeSpec.Resources()
            hugetlb.hugepageLimits = limits
            try unified.apply(hugetlb, path: normalized)
        }
        try applyUnified(resources.unified, path: path)
    }

    /// `resources.unified` goes to the unified hierarchy, where only core files exist.
    private func applyUnified(_ values: [String: String]?, path: String) throws {
        guard let values, !values.isEmpty else { return }
        let directory = unified.directory(try CgroupPath.normalize(path))
        for (key, value) in values.sorted(by: { $0.key < $1.key }) {
            try unified.writeUnified(key: key, value: value, directory: directory)
        }
    }

    public func addProcess(_ pid: Int32, to path: String) throws {
        try v1.addProcess(pid, to: path)
        try unified.addProcess(pid, to: path)
    }

    public func stats(path: String) throws -> CgroupStats { try v1.stats(path: path) }

    public func oomKillCount(path: String) throws -> UInt64 { try v1.oomKillCount(path: path) }

    public func processes(path: String) throws -> [Int32] { try v1.processes(path: path) }

    public func setFrozen(_ frozen: Bool, path: String) throws {
        if v1.hierarchies.mountPoint(of: "freezer") != nil {
            try v1.setFrozen(frozen, path: path)
        } else {
            try unified.setFrozen(frozen, path: path)
        }
    }

    public func killAll(path: String, signal: Int32) throws {
        let normalized = try CgroupPath.normalize(path)
        if signal == SIGKILL && CgroupFiles.exists(unified.directory(normalized) + "/cgroup.kill") {
            try unified.killAll(path: normalized, signal: signal)
        } else {
            try v1.killAll(path: normalized, signal: signal)
        }
    }

    public func destroy(path: String) throws {
        var firstError: Error?
        do { try v1.destroy(path: path) } catch { firstError = error }
        do { try unified.destroy(path: path) } catch { firstError = firstError ?? error }
        if let firstError { throw firstError }
    }
}
