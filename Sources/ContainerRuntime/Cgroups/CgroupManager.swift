import OCI

/// One container's (or pod's) cgroup, whatever the host's cgroup layout.
///
/// `path` is relative to the root of every hierarchy (a leading `/` is accepted and ignored),
/// e.g. `"skiff/pod123/c1"`; `..` is refused. All methods are safe to call from any thread:
/// implementations are immutable values that only talk to the kernel.
///
/// The runtime's order of use: `create` → `addProcess(child)` before the child execs →
/// (`stats`, `oomKillCount`, `update`, `setFrozen`) while it runs → `killAll` → `destroy`.
public protocol CgroupManager: Sendable {
    /// The layout this manager drives.
    var mode: CgroupMode { get }

    /// Creates the cgroup (and missing parents, like `mkdir -p`) in every hierarchy this
    /// backend uses, then applies `resources`. Existing directories are reused, so calling it
    /// for a pod cgroup that already exists just (re)applies the resources. If a resource
    /// cannot be applied the error says which; the directories stay, so call `destroy`.
    func create(path: String, resources: RuntimeSpec.Resources?) throws

    /// Applies `resources` to an existing cgroup. Fields that are `nil` are left as they are.
    func update(path: String, resources: RuntimeSpec.Resources) throws

    /// Moves process `pid` (and, as the kernel does, none of its existing children) into the
    /// cgroup in every hierarchy. Call it before the child execs so nothing escapes accounting.
    func addProcess(_ pid: Int32, to path: String) throws

    /// Current usage and limits.
    func stats(path: String) throws -> CgroupStats

    /// How many times the kernel's OOM killer killed a task of this cgroup
    /// (v2 `memory.events` `oom_kill`, v1 `memory.oom_control` `oom_kill`, kernel ≥ 4.13).
    func oomKillCount(path: String) throws -> UInt64

    /// Every process in the cgroup and its descendants.
    func processes(path: String) throws -> [Int32]

    /// Freezes (`true`) or thaws (`false`) every task of the cgroup and waits until the
    /// kernel reports the new state (v2 `cgroup.freeze`, v1 `freezer.state`).
    func setFrozen(_ frozen: Bool, path: String) throws

    /// Sends `signal` to every process of the cgroup. For SIGKILL on cgroup2 (v2 or the
    /// unified hierarchy of hybrid) this is one write to `cgroup.kill` (kernel ≥ 5.14), which
    /// also catches processes forking concurrently; otherwise the cgroup is frozen, every
    /// process signalled, then thawed, so no process can fork away meanwhile.
    func killAll(path: String, signal: Int32) throws

    /// Removes the cgroup and any cgroups below it (deepest first) in every hierarchy,
    /// retrying briefly while the kernel reports it busy (killed tasks not yet reaped).
    /// Missing directories are fine, so it is idempotent. Parents are left alone: a pod's
    /// cgroup is destroyed by whoever created it, with its own `destroy` call.
    func destroy(path: String) throws
}

/// Returns the manager for the host's cgroup layout (detected under `root` unless `mode` is
/// given). `root` is where the cgroup filesystems are mounted; tests may point it elsewhere.
/// `deviceFilterInstaller` loads device rules as eBPF on v2 (nil: the kernel's bpf(2), see
/// `KernelDeviceFilterInstaller`); v1 and hybrid use the v1 devices controller and ignore it.
public func makeCgroupManager(mode: CgroupMode? = nil, root: String = "/sys/fs/cgroup",
                              deviceFilterInstaller: (any CgroupDeviceFilterInstaller)? = nil) throws -> any CgroupManager {
    // One statfs decides pure v2; otherwise the mount table is read once for both the
    // detection and the v1 hierarchies (this runs on every runtime command).
    if mode == .v2 || (mode == nil && CgroupMode.isCgroup2(root)) {
        return CgroupV2Manager(root: root, deviceFilterInstaller: deviceFilterInstaller ?? KernelDeviceFilterInstaller())
    }
    let mounts = try MountInfoEntry.readCurrent()
    let resolved = try mode ?? CgroupMode.detect(root: root, mounts: mounts)
    switch resolved {
    case .v2:
        return CgroupV2Manager(root: root, deviceFilterInstaller: deviceFilterInstaller ?? KernelDeviceFilterInstaller())
    case .v1:
        return try CgroupV1Manager(hierarchies: CgroupV1Hierarchies.checked(mounts, under: root))
    case .hybrid:
        return try CgroupHybridManager(
            v1: CgroupV1Manager(hierarchies: CgroupV1Hierarchies.checked(mounts, under: root)),
            unified: CgroupV2Manager(root: root + "/unified", enableControllers: false)
        )
    }
}
