import APIModel
import ContainerRuntime
import Foundation
import LinuxSystem
import OCI

/// Everything outside the PodSpec that one container's config.json depends on.
struct ContainerConfigInputs: Sendable {
    var pod: PodObject
    var container: ContainerSpec
    /// The image's run config (Env, Entrypoint, Cmd, WorkingDir, User), if any.
    var image: ImageConfig.RunConfig?
    /// The container's environment from `env`/`envFrom` (already `$(VAR)`-expanded).
    var environment: [(name: String, value: String)]
    var runtimeID: String
    var restartCount: Int
    var cgroupsPath: String
    var qos: QoSClass
    var sandbox: PodSandbox?
    var volumes: [String: MountedVolume]
    /// The host file bound at the container's termination message path.
    var terminationLogPath: String
    /// Resolves a user or group name of the image's `User` against the image's files.
    var lookUpUser: @Sendable (String) -> (uid: UInt32, gid: UInt32)? = { _ in nil }
    var lookUpGroup: @Sendable (String) -> UInt32? = { _ in nil }
    var nodeMemoryBytes: Double = 17_179_869_184
}

/// Builds the OCI runtime spec of a container from its PodSpec entry, the image's config and
/// what the node set up (sandbox namespaces and files, volumes, the pod cgroup), following
/// Kubernetes' meaning of each field.
enum ContainerConfigBuilder {
    static let defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

    /// Containers' open-file limit: 1048576 as container runtimes give, but never above the
    /// agent's own hard limit (the container's init cannot raise it without CAP_SYS_RESOURCE).
    static let openFilesLimit: UInt64 = {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        return min(UInt64(limit.rlim_max), 1_048_576)
    }()

    static func build(_ inputs: ContainerConfigInputs) throws -> RuntimeSpec {
        let container = inputs.container
        let podSecurity = inputs.pod.spec["securityContext"] ?? .emptyObject
        let security = container.securityContext ?? .emptyObject
        func setting(_ key: String) -> JSONValue? { security[key] ?? podSecurity[key] }
        let privileged = security["privileged"]?.boolValue ?? false

        // Environment: the image's, then the container's.
        var environment = OrderedEnvironment(inputs.image?.Env ?? [])
        if environment.value(of: "PATH") == nil { environment.set("PATH", String(defaultPath.dropFirst(5))) }
        environment.set("HOSTNAME", inputs.pod.spec["hostname"]?.stringValue ?? inputs.pod.name)
        for (name, value) in inputs.environment { environment.set(name, value) }
        let expand: (String) -> String = { EnvironmentResolver.expand($0) { environment.value(of: $0) } }

        // Command and args: the container's replace the image's; a command alone drops the image's Cmd.
        let entrypoint: [String]
        let arguments: [String]
        if let command = container.command, !command.isEmpty {
            entrypoint = command.map(expand)
            arguments = (container.args ?? []).map(expand)
        } else {
            entrypoint = inputs.image?.Entrypoint ?? []
            arguments = container.args.map { $0.map(expand) } ?? (inputs.image?.Cmd ?? [])
        }
        let argv = entrypoint + arguments
        guard !argv.isEmpty else { throw ContainerConfigError("no command specified") }

        let user = try resolveUser(inputs, setting: setting)
        var process = RuntimeSpec.Process(
            terminal: container.tty, user: user, args: argv, env: environment.entries,
            cwd: container.workingDir ?? inputs.image?.WorkingDir.flatMap { $0.isEmpty ? nil : $0 } ?? "/")
        let capabilities = try capabilitySet(security: security, privileged: privileged)
        process.capabilities = RuntimeSpec.Capabilities(bounding: capabilities, effective: capabilities,
                                                        inheritable: nil, permitted: capabilities, ambient: nil)
        process.noNewPrivileges = !privileged && security["allowPrivilegeEscalation"]?.boolValue == false
        process.rlimits = [RuntimeSpec.Rlimit(type: "RLIMIT_NOFILE", hard: openFilesLimit, soft: openFilesLimit)]
        process.oomScoreAdj = oomScoreAdjust(inputs)

        var linux = RuntimeSpec.Linux(
            namespaces: namespaces(inputs), cgroupsPath: inputs.cgroupsPath,
            resources: resources(container),
            maskedPaths: privileged ? [] : DefaultRuntimeSpec.maskedPaths,
            readonlyPaths: privileged ? [] : DefaultRuntimeSpec.readonlyPaths)
        if privileged {
            linux.resources?.devices = [RuntimeSpec.DeviceCgroup(allow: true, access: "rwm")]
        } else {
            linux.resources?.devices = [RuntimeSpec.DeviceCgroup(allow: false, access: "rwm")]
        }
        linux.seccomp = try seccomp(security: security, podSecurity: podSecurity, capabilities: capabilities, privileged: privileged)
        if let sysctls = podSecurity["sysctls"]?.arrayValue, !sysctls.isEmpty {
            var values: [String: String] = [:]
            for sysctl in sysctls {
                if let name = sysctl["name"]?.stringValue { values[name] = sysctl["value"]?.stringValue ?? "" }
            }
            linux.sysctl = values
        }

        let readOnlyRoot = security["readOnlyRootFilesystem"]?.boolValue ?? false
        var spec = RuntimeSpec(process: process, root: .init(path: "rootfs", readonly: readOnlyRoot),
                               hostname: ownsUTSNamespace(inputs) ? String((inputs.pod.spec["hostname"]?.stringValue ?? inputs.pod.name).prefix(63)) : nil,
                               mounts: try mounts(inputs, privileged: privileged), linux: linux)
        spec.annotations = ContainerAnnotations.make(pod: inputs.pod, container: container, restartCount: inputs.restartCount)
        return spec
    }

    /// A new uts namespace only when the pod has no shared one and does not use the host's.
    static func ownsUTSNamespace(_ inputs: ContainerConfigInputs) -> Bool {
        !inputs.pod.hostNetwork && inputs.sandbox?.utsNamespacePath == nil
    }

    static func namespaces(_ inputs: ContainerConfigInputs) -> [RuntimeSpec.Namespace] {
        var namespaces = [RuntimeSpec.Namespace(type: "pid"), RuntimeSpec.Namespace(type: "mount"),
                          RuntimeSpec.Namespace(type: "cgroup")]
        if !inputs.pod.hostNetwork {
            namespaces.append(RuntimeSpec.Namespace(type: "network", path: inputs.sandbox?.networkNamespacePath))
            namespaces.append(RuntimeSpec.Namespace(type: "uts", path: inputs.sandbox?.utsNamespacePath))
        }
        if !(inputs.pod.spec["hostIPC"]?.boolValue ?? false) {
            namespaces.append(RuntimeSpec.Namespace(type: "ipc", path: inputs.sandbox?.ipcNamespacePath))
        }
        if inputs.pod.spec["hostPID"]?.boolValue ?? false {
            namespaces.removeAll { $0.type == "pid" }
        }
        return namespaces
    }

    /// The process user: runAsUser/runAsGroup (container over pod), else the image's `User`;
    /// `runAsNonRoot` refuses uid 0; supplementalGroups and fsGroup become additional gids.
    static func resolveUser(_ inputs: ContainerConfigInputs, setting: (String) -> JSONValue?) throws -> RuntimeSpec.User {
        var uid: UInt32 = 0
        var gid: UInt32 = 0
        var userFromImage = false
        if let imageUser = inputs.image?.User, !imageUser.isEmpty {
            let parts = imageUser.split(separator: ":", maxSplits: 1).map(String.init)
            if let number = UInt32(parts[0]) {
                uid = number
            } else if let found = inputs.lookUpUser(parts[0]) {
                uid = found.uid
                gid = found.gid
            } else if setting("runAsUser")?.intValue == nil {
                throw ContainerConfigError("unable to find user \(parts[0]) of the image")
            }
            if parts.count > 1 {
                if let number = UInt32(parts[1]) { gid = number } else if let found = inputs.lookUpGroup(parts[1]) { gid = found }
            }
            userFromImage = true
        }
        if let runAsUser = setting("runAsUser")?.intValue {
            guard let value = UInt32(exactly: runAsUser) else { throw ContainerConfigError("runAsUser \(runAsUser) is out of range") }
            uid = value
            if setting("runAsGroup") == nil && !userFromImage { gid = 0 }
        }
        if let runAsGroup = setting("runAsGroup")?.intValue {
            guard let value = UInt32(exactly: runAsGroup) else { throw ContainerConfigError("runAsGroup \(runAsGroup) is out of range") }
            gid = value
        }
        if setting("runAsNonRoot")?.boolValue == true && uid == 0 {
            throw ContainerConfigError("container has runAsNonRoot and image will run as root (pod: \"\(inputs.pod.name)_\(inputs.pod.namespace)(\(inputs.pod.uid))\", container: \(inputs.container.name))")
        }
        var groups: [UInt32] = []
        let podSecurity = inputs.pod.spec["securityContext"] ?? .emptyObject
        for group in podSecurity["supplementalGroups"]?.arrayValue ?? [] {
            if let value = group.intValue.flatMap({ UInt32(exactly: $0) }) { groups.append(value) }
        }
        if let fsGroup = podSecurity["fsGroup"]?.intValue.flatMap({ UInt32(exactly: $0) }), !groups.contains(fsGroup) {
            groups.append(fsGroup)
        }
        return RuntimeSpec.User(uid: uid, gid: gid, additionalGids: groups.isEmpty ? nil : groups)
    }

    /// Docker's default set with `capabilities.drop` removed (`ALL` drops everything) and
    /// `capabilities.add` added (`ALL` adds everything); privileged containers hold all.
    static func capabilitySet(security: JSONValue, privileged: Bool) throws -> [String] {
        if privileged { return DefaultCapabilities.all }
        var set = DefaultCapabilities.docker
        let drop = (security["capabilities"]?["drop"]?.arrayValue ?? []).compactMap(\.stringValue)
        let add = (security["capabilities"]?["add"]?.arrayValue ?? []).compactMap(\.stringValue)
        if drop.contains(where: { $0.uppercased() == "ALL" }) {
            set = []
        } else {
            let dropped = Set(drop.map(DefaultCapabilities.canonicalName))
            set.removeAll { dropped.contains($0) }
        }
        if add.contains(where: { $0.uppercased() == "ALL" }) { return DefaultCapabilities.all }
        for name in add {
            let canonical = DefaultCapabilities.canonicalName(name)
            guard DefaultCapabilities.number(of: canonical) != nil else {
                throw ContainerConfigError("unknown capability \(name) in capabilities.add")
            }
            if !set.contains(canonical) { set.append(canonical) }
        }
        return set
    }

    /// `seccompProfile`: RuntimeDefault is the runtime's default filter (Docker's), Unconfined
    /// (and unset, Kubernetes' default) none; privileged containers are never filtered.
    static func seccomp(security: JSONValue, podSecurity: JSONValue, capabilities: [String], privileged: Bool) throws -> RuntimeSpec.Seccomp? {
        guard !privileged else { return nil }
        let profile = security["seccompProfile"] ?? podSecurity["seccompProfile"]
        switch profile?["type"]?.stringValue {
        case nil, "Unconfined": return nil
        case "RuntimeDefault": return DefaultSeccompProfile.docker(capabilities: capabilities)
        case "Localhost":
            throw ContainerConfigError("seccompProfile Localhost (\(profile?["localhostProfile"]?.stringValue ?? "")) is not supported on this node")
        case let other?: throw ContainerConfigError("unknown seccompProfile type \(other)")
        }
    }

    /// Requests and limits as cgroup settings: shares from the cpu request (at least 2),
    /// quota over a 100 ms period from the cpu limit, the memory limit.
    static func resources(_ container: ContainerSpec) -> RuntimeSpec.Resources {
        var cpu = RuntimeSpec.CPU(shares: CPUResources.shares(cores: container.cpuRequest))
        if let limit = container.cpuLimit, limit > 0 {
            cpu.quota = CPUResources.quota(cores: limit)
            cpu.period = CPUResources.period
        }
        var resources = RuntimeSpec.Resources(cpu: cpu)
        if let memory = container.memoryLimit, memory > 0 {
            resources.memory = RuntimeSpec.Memory(limit: Int64(memory), swap: Int64(memory))
        }
        return resources
    }

    /// Kubernetes' OOM score policy: Guaranteed -997, BestEffort 1000, Burstable by the share
    /// of the node's memory the container requests (2…999).
    static func oomScoreAdjust(_ inputs: ContainerConfigInputs) -> Int {
        switch inputs.qos {
        case .guaranteed: return -997
        case .bestEffort: return 1000
        case .burstable:
            let request = inputs.container.memoryRequest ?? 0
            let score = 1000 - Int((1000 * request / max(inputs.nodeMemoryBytes, 1)).rounded(.down))
            return min(max(score, 2), 999)
        }
    }

    /// The standard mounts, the sandbox's files, the termination log and the volume mounts.
    static func mounts(_ inputs: ContainerConfigInputs, privileged: Bool) throws -> [RuntimeSpec.Mount] {
        var mounts = DefaultRuntimeSpec.mounts
        if privileged, let sys = mounts.firstIndex(where: { $0.destination == "/sys" }) {
            mounts[sys].options = ["nosuid", "noexec", "nodev"]
        }
        var claimed = Set<String>()
        var volumeMounts: [RuntimeSpec.Mount] = []
        for mount in inputs.container.volumeMounts {
            guard let name = mount["name"]?.stringValue, let path = mount["mountPath"]?.stringValue else { continue }
            guard let volume = inputs.volumes[name] else {
                throw ContainerConfigError("volume \"\(name)\" of volumeMount \(path) is not prepared on the node")
            }
            var source = volume.hostPath
            let subPath = mount["subPathExpr"]?.stringValue.map { sub in
                EnvironmentResolver.expand(sub) { name in inputs.environment.last { $0.name == name }?.value }
            } ?? mount["subPath"]?.stringValue ?? ""
            if !subPath.isEmpty {
                guard !subPath.hasPrefix("/"), !subPath.split(separator: "/").contains("..") else {
                    throw ContainerConfigError("subPath \(subPath) must be a relative path without ..")
                }
                source += "/" + subPath
            }
            let readOnly = volume.readOnly || (mount["readOnly"]?.boolValue ?? false)
            var options = ["rbind", readOnly ? "ro" : "rw"]
            switch mount["mountPropagation"]?.stringValue {
            case "HostToContainer": options.append("rslave")
            case "Bidirectional": options.append("rshared")
            default: options.append("rprivate")
            }
            let destination = path.hasPrefix("/") ? path : "/" + path
            claimed.insert(destination)
            volumeMounts.append(RuntimeSpec.Mount(destination: destination, type: "bind", source: source, options: options))
        }
        if let sandbox = inputs.sandbox {
            for (destination, source) in [("/etc/hosts", sandbox.hostsFilePath), ("/etc/resolv.conf", sandbox.resolvConfPath),
                                          ("/etc/hostname", sandbox.hostnameFilePath)] where !source.isEmpty && !claimed.contains(destination) {
                mounts.append(RuntimeSpec.Mount(destination: destination, type: "bind", source: source, options: ["rbind", "rprivate", "rw"]))
            }
        }
        let terminationPath = inputs.container.terminationMessagePath
        if !claimed.contains(terminationPath) {
            mounts.append(RuntimeSpec.Mount(destination: terminationPath, type: "bind", source: inputs.terminationLogPath,
                                            options: ["rbind", "rprivate", "rw"]))
        }
        // Shallower destinations first, so a mount inside another volume lands on top of it.
        mounts += volumeMounts.sorted { $0.destination.split(separator: "/").count < $1.destination.split(separator: "/").count }
        return mounts
    }
}

/// Annotations the kubelet stores in each container's config.json (and so in the runtime's
/// record): what lets a restarted agent find the pod and container a runtime container is.
enum ContainerAnnotations {
    static let podUID = "io.kubernetes.pod.uid"
    static let podName = "io.kubernetes.pod.name"
    static let podNamespace = "io.kubernetes.pod.namespace"
    static let containerName = "io.kubernetes.container.name"
    static let restartCount = "io.kubernetes.container.restartCount"
    static let isInit = "io.skiff.container.init"

    static func make(pod: PodObject, container: ContainerSpec, restartCount: Int) -> [String: String] {
        [Self.podUID: pod.uid, Self.podName: pod.name, Self.podNamespace: pod.namespace, Self.containerName: container.name,
         Self.restartCount: String(restartCount), Self.isInit: container.isInit ? "true" : "false"]
    }
}
