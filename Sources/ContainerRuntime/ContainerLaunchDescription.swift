#if canImport(Glibc)
import Glibc
#endif
import CLinuxSystem
import LinuxSystem
import OCI

/// An overlayfs root over image snapshot directories, mounted by the container child inside
/// its own mount namespace (so it disappears with the container, never leaking to the host).
public struct OverlayRootfs: Sendable, Equatable {
    /// Snapshot directories, topmost first (overlayfs `lowerdir` order).
    public var lowerDirs: [String]
    /// Per-container writable layer and overlayfs work directory; `nil` for a read-only root.
    public var upperDir: String?
    public var workDir: String?

    public init(lowerDirs: [String], upperDir: String? = nil, workDir: String? = nil) {
        self.lowerDirs = lowerDirs
        self.upperDir = upperDir
        self.workDir = workDir
    }

    var mountData: String {
        var data = "lowerdir=" + lowerDirs.joined(separator: ":")
        if let upperDir, let workDir { data += ",upperdir=\(upperDir),workdir=\(workDir)" }
        return data
    }
}

/// Everything the container child needs, checked and resolved from a bundle's spec: the
/// Swift side of `csys_container_config`.
struct ContainerLaunchDescription {
    var cloneFlags: Int32 = 0
    var lateUnshareFlags: Int32 = 0
    var joins: [(flag: Int32, path: String)] = []
    var rootfs: String
    var overlayData: String?
    var rootfsReadonly: Bool
    var rootfsPropagation: UInt = 0
    var cgroupV2: Bool
    var mounts: [(mount: RuntimeSpec.Mount, options: MountOptions, source: String?, isCgroup: Bool)] = []
    var devices: [csys_device] = []
    var devicePaths: [String] = []
    var maskedPaths: [String]
    var readonlyPaths: [String]
    var hostname: String?
    var domainname: String?
    var sysctls: [(String, String)]
    var execFifo: String?
    var process: ProcessDescription
    /// The hooks the child runs (createContainer, startContainer) and the state they read;
    /// `id` empty until the caller sets it.
    var createContainerHooks: [RuntimeSpec.Hook]?
    var startContainerHooks: [RuntimeSpec.Hook]?
    var hookState: ContainerState

    init(spec: RuntimeSpec, bundle: String, rootfsMountpoint: String?, overlay: OverlayRootfs?,
         execFifo: String?, seccomp: SeccompCompiler.Program?, id: String = "") throws(RuntimeError) {
        try Hooks.validate(spec.hooks)
        createContainerHooks = spec.hooks?.createContainer
        startContainerHooks = spec.hooks?.startContainer
        hookState = ContainerState(ociVersion: spec.ociVersion, id: id, status: .creating, pid: nil, bundle: bundle,
                                   annotations: spec.annotations)
        guard let process = spec.process else { throw .invalidSpec("process is missing") }
        guard let root = spec.root else { throw .invalidSpec("root is missing") }
        let linux = spec.linux ?? RuntimeSpec.Linux()
        for namespace in linux.namespaces ?? [] {
            guard let kind = NamespaceKind(rawValue: namespace.type) else {
                throw .invalidSpec("linux.namespaces: unknown type \(namespace.type)")
            }
            if kind == .user || kind == .time {
                throw .invalidSpec("linux.namespaces: \(kind.rawValue) namespaces are not supported")
            }
            if let path = namespace.path, !path.isEmpty {
                joins.append((kind.cloneFlag, path))
            } else if kind == .cgroup {
                lateUnshareFlags |= kind.cloneFlag
            } else {
                cloneFlags |= kind.cloneFlag
            }
        }
        guard cloneFlags & NamespaceKind.mount.cloneFlag != 0 else {
            throw .invalidSpec("linux.namespaces must include a new mount namespace")
        }
        if let overlay {
            guard let rootfsMountpoint else { throw .invalidSpec("an overlay root needs a mount point") }
            guard !overlay.lowerDirs.isEmpty else { throw .invalidSpec("an overlay root needs at least one lower directory") }
            if overlay.upperDir == nil && overlay.lowerDirs.count == 1 {
                // overlayfs wants two lower layers without an upper one; a single read-only
                // layer is just that directory, bound read-only.
                rootfs = overlay.lowerDirs[0]
            } else {
                rootfs = rootfsMountpoint
                overlayData = overlay.mountData
            }
        } else {
            rootfs = root.path.hasPrefix("/") ? root.path : bundle + "/" + root.path
            guard Files.isDirectory(rootfs) else { throw .invalidBundle("root.path \(rootfs) is not a directory") }
        }
        rootfsReadonly = (root.readonly ?? false) || (overlay != nil && overlay?.upperDir == nil)
        if let propagation = linux.rootfsPropagation, !propagation.isEmpty {
            guard let flags = MountOptions.propagation(propagation) else {
                throw .invalidSpec("linux.rootfsPropagation: unknown value \(propagation)")
            }
            rootfsPropagation = flags
        }
        cgroupV2 = Self.hostIsCgroupV2()
        for mount in spec.mounts ?? [] {
            guard mount.destination.hasPrefix("/") else {
                throw .invalidSpec("mounts: destination \(mount.destination) must be absolute")
            }
            guard !mount.destination.split(separator: "/").contains("..") else {
                throw .invalidSpec("mounts: destination \(mount.destination) must not contain ..")
            }
            var options = MountOptions(mount.options ?? [])
            if mount.type == "bind" && options.bind == 0 { options.bind = 1 }
            var source = mount.source
            if options.bind != 0 {
                guard let s = source, !s.isEmpty else { throw .invalidSpec("mounts: bind mount on \(mount.destination) has no source") }
                source = s.hasPrefix("/") ? s : bundle + "/" + s
            } else if mount.type == nil || mount.type?.isEmpty == true {
                throw .invalidSpec("mounts: \(mount.destination) has neither a type nor bind options")
            }
            mounts.append((mount, options, source, mount.type == "cgroup" && options.bind == 0))
        }
        for device in linux.devices ?? [] {
            guard let type = device.type.utf8.first, "cbup".utf8.contains(type) else {
                throw .invalidSpec("linux.devices: \(device.path) has unknown type \(device.type)")
            }
            devicePaths.append(device.path)
            devices.append(csys_device(
                path: nil, type: CChar(bitPattern: type == UInt8(ascii: "u") ? UInt8(ascii: "c") : type),
                major: UInt32(clamping: device.major ?? 0), minor: UInt32(clamping: device.minor ?? 0),
                mode: device.fileMode ?? 0o666, uid: device.uid ?? 0, gid: device.gid ?? 0))
        }
        maskedPaths = linux.maskedPaths ?? []
        readonlyPaths = linux.readonlyPaths ?? []
        hostname = spec.hostname.flatMap { $0.isEmpty ? nil : $0 }
        domainname = spec.domainname.flatMap { $0.isEmpty ? nil : $0 }
        sysctls = (linux.sysctl ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        self.execFifo = execFifo
        self.process = try ProcessDescription(process, seccomp: seccomp)
    }

    /// Lays the description out as C structs inside `arena` and calls `body` with them.
    func withCConfig<R>(in arena: CArena, _ body: (UnsafePointer<csys_container_config>) throws -> R) rethrows -> R {
        let joinStructs = joins.map { csys_namespace_join(flag: $0.flag, path: arena.string($0.path)) }
        let mountStructs = mounts.map { entry in
            csys_mount(
                source: arena.optionalString(entry.source), destination: arena.string(entry.mount.destination),
                fstype: entry.options.bind != 0 ? nil : arena.optionalString(entry.mount.type),
                data: entry.options.data.isEmpty ? nil : arena.string(entry.options.data.joined(separator: ",")),
                flags: entry.options.flags, propagation: entry.options.propagation,
                bind: entry.options.bind, cgroup: entry.isCgroup ? 1 : 0)
        }
        var deviceStructs = devices
        for i in deviceStructs.indices { deviceStructs[i].path = arena.string(devicePaths[i]) }
        var config = csys_container_config(
            clone_flags: cloneFlags, late_unshare_flags: lateUnshareFlags,
            joins: arena.array(joinStructs), join_count: joinStructs.count,
            rootfs: arena.string(rootfs), overlay_data: arena.optionalString(overlayData),
            rootfs_readonly: rootfsReadonly ? 1 : 0, rootfs_propagation: rootfsPropagation,
            cgroup_v2: cgroupV2 ? 1 : 0,
            mounts: arena.array(mountStructs), mount_count: mountStructs.count,
            devices: arena.array(deviceStructs), device_count: deviceStructs.count,
            masked_paths: arena.strings(maskedPaths), masked_count: maskedPaths.count,
            readonly_paths: arena.strings(readonlyPaths), readonly_count: readonlyPaths.count,
            hostname: arena.optionalString(hostname), domainname: arena.optionalString(domainname),
            sysctl_keys: arena.strings(sysctls.map(\.0)), sysctl_values: arena.strings(sysctls.map(\.1)),
            sysctl_count: sysctls.count,
            exec_fifo: arena.optionalString(execFifo),
            create_container_hooks: Hooks.layout(createContainerHooks, state: hookState, in: arena),
            start_container_hooks: Hooks.layout(startContainerHooks, state: created, in: arena),
            process: process.layout(in: arena))
        return try body(&config)
    }

    /// The state startContainer hooks read: the container is created, its process not yet run.
    private var created: ContainerState {
        var state = hookState
        state.status = .created
        return state
    }

    /// Whether /sys/fs/cgroup is itself a cgroup2 filesystem (decides how a `cgroup` mount is made).
    static func hostIsCgroupV2() -> Bool {
        CgroupMode.isCgroup2("/sys/fs/cgroup")
    }
}
