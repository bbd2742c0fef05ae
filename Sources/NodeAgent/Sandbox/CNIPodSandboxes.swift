#if canImport(Glibc)
import Glibc
#endif
import APIModel
import Foundation
import LinuxSystem
import Logging
import Synchronization

/// Pod sandboxes built from a network namespace per pod, wired by the CNI reference plugins
/// (bridge, host-local, portmap, loopback), with persistent ipc and uts namespaces (the uts
/// one carrying the pod's hostname). Everything lives under `<data>/sandboxes/<pod UID>`
/// and is recorded there, so a restarted agent adopts the sandboxes it finds.
public final class CNIPodSandboxes: PodSandboxManaging {
    public let configuration: KubeletConfiguration
    let logger: Logger
    let layout: SandboxLayout
    private let podCIDR: Mutex<String?>
    private let locks = KeyedLock()

    public init(configuration: KubeletConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.layout = SandboxLayout(dataDirectory: configuration.dataDirectory)
        self.podCIDR = Mutex(configuration.podCIDR)
    }

    public func setPodCIDR(_ cidr: String) async throws {
        guard Self.isIPv4CIDR(cidr) else { throw SandboxError.invalidRequest("pod CIDR \"\(cidr)\" is not an IPv4 CIDR") }
        podCIDR.withLock { $0 = cidr }
    }

    public func setUp(_ request: PodSandboxRequest) async throws -> PodSandbox {
        try Self.validate(podUID: request.podUID)
        return try await locks.withLock(request.podUID) {
            if let record = SandboxRecord.load(layout.record(request.podUID)) {
                if isComplete(record) { return record.sandbox }
                logger.info("replacing an incomplete sandbox", metadata: ["pod": "\(request.namespace)/\(request.name)"])
                try await removeSandbox(podUID: request.podUID, force: true)
            }
            return try await createSandbox(request)
        }
    }

    public func tearDown(podUID: String) async throws {
        try Self.validate(podUID: podUID)
        try await locks.withLock(podUID) {
            try await removeSandbox(podUID: podUID, force: false)
        }
    }

    public func existing(podUID: String) async -> PodSandbox? {
        guard (try? Self.validate(podUID: podUID)) != nil,
              let record = SandboxRecord.load(layout.record(podUID)), isComplete(record) else { return nil }
        return record.sandbox
    }

    public func all() async -> [PodSandbox] {
        Files.list(layout.sandboxesDirectory).sorted().compactMap { uid in
            guard let record = SandboxRecord.load(layout.record(uid)) else {
                // A directory without a record is a set-up cut short before it recorded
                // anything: listed so the kubelet tears it down.
                return Files.isDirectory(layout.directory(uid))
                    ? PodSandbox(podUID: uid, networkNamespacePath: nil, ipcNamespacePath: nil, utsNamespacePath: nil,
                                 podIPs: [], hostsFilePath: layout.hostsFile(uid), resolvConfPath: layout.resolvConf(uid),
                                 hostnameFilePath: layout.hostnameFile(uid))
                    : nil
            }
            return record.sandbox
        }
    }

    /// What `skiff down` runs: tears down every recorded sandbox (CNI DEL, namespaces,
    /// files), deletes the node's bridge, the IPAM state, portmap's chains once no sandbox of
    /// any cluster uses them, and the node routes an agent recorded but could not remove.
    public static func cleanUpNode(configuration: KubeletConfiguration, logger: Logger = Logger(label: "skiff.sandbox")) async throws {
        let sandboxes = CNIPodSandboxes(configuration: configuration, logger: logger)
        var firstError: (any Error)?
        for uid in Files.list(sandboxes.layout.sandboxesDirectory) {
            do {
                try await sandboxes.locks.withLock(uid) { try await sandboxes.removeSandbox(podUID: uid, force: true) }
            } catch {
                logger.warning("tearing down sandbox \(uid): \(error)")
                firstError = firstError ?? error
            }
        }
        do {
            try await BridgeCleanup.deleteLink(configuration.bridgeName)
        } catch {
            logger.warning("deleting bridge \(configuration.bridgeName): \(error)")
            firstError = firstError ?? error
        }
        await BridgeCleanup.removeUnusedPortmapChains(logger: logger)
        await NodeRouteSync.removeRecordedRoutes(configuration: configuration, logger: logger)
        do {
            try Files.removeTree(sandboxes.layout.cniDirectory)
            try Files.removeTree(sandboxes.layout.sandboxesDirectory)
        } catch {
            firstError = firstError ?? error
        }
        if let firstError { throw firstError }
    }

    // MARK: Set-up

    private func createSandbox(_ request: PodSandboxRequest) async throws -> PodSandbox {
        let uid = request.podUID
        let cidr = podCIDR.withLock { $0 }
        if !request.hostNetwork && cidr == nil { throw SandboxError.noPodCIDR }
        try Files.makeDirectories(layout.directory(uid), mode: 0o755)

        let kinds: [NamespaceKind] = request.hostNetwork ? [.ipc] : [.network, .ipc, .uts]
        var paths: [NamespaceKind: String] = [:]
        for kind in kinds { paths[kind] = layout.namespaceFile(uid, kind) }
        let network = request.hostNetwork ? nil : podNetwork(cidr: cidr ?? "", hostPorts: !request.portMappings.isEmpty)
        let portMappings = NodeNetworkConfig.portMappings(request.portMappings)
        var record = SandboxRecord(
            sandbox: PodSandbox(podUID: uid, networkNamespacePath: paths[.network], ipcNamespacePath: paths[.ipc],
                                utsNamespacePath: paths[.uts], podIPs: [], hostsFilePath: layout.hostsFile(uid),
                                resolvConfPath: layout.resolvConf(uid), hostnameFilePath: layout.hostnameFile(uid)),
            namespace: request.namespace, name: request.name,
            networkConfig: network?.configList.jsonString(), networkResult: nil,
            portMappings: portMappings.jsonString())
        // Recorded before anything is created, so whatever exists can always be torn down.
        try record.save(layout.record(uid))

        do {
            let hostname = Self.podHostname(request.hostname)
            try await PersistentNamespaces.create(kinds, at: paths, hostname: request.hostNetwork ? nil : hostname)
            if let network, let netns = paths[.network] {
                let loopback = CNINetwork(configList: NodeNetworkConfig.loopbackNetwork, pluginDirectory: configuration.cniBinDirectory)
                _ = try await loopback.add(.init(containerID: uid, networkNamespace: netns, interfaceName: "lo"))
                let result = try await network.add(.init(containerID: uid, networkNamespace: netns, interfaceName: "eth0",
                                                         capabilityArgs: ["portMappings": portMappings]))
                record.networkResult = result?.jsonString()
                record.sandbox.podIPs = CNINetwork.addresses(in: result)
                if record.sandbox.podIPs.isEmpty { throw SandboxError.cni("the pod network gave \(uid) no address") }
            } else {
                record.sandbox.podIPs = [configuration.nodeIP]
            }
            let names = try nameResolution()
            try Files.writeAtomically(layout.hostsFile(uid), Array(names.hostsFile(for: request, podIPs: record.sandbox.podIPs).utf8))
            try Files.writeAtomically(layout.resolvConf(uid), Array(try names.resolvConf(for: request).utf8))
            try Files.writeAtomically(layout.hostnameFile(uid), Array((hostname + "\n").utf8))
            try record.save(layout.record(uid))
        } catch {
            logger.warning("sandbox set-up failed, undoing it", metadata: ["pod": "\(request.namespace)/\(request.name)", "error": "\(error)"])
            // Saved with whatever result ADD gave, so DEL releases exactly that.
            try? record.save(layout.record(uid))
            try? await removeSandbox(podUID: uid, force: true)
            throw error
        }
        logger.debug("sandbox ready", metadata: ["pod": "\(request.namespace)/\(request.name)", "ips": "\(record.sandbox.podIPs)"])
        return record.sandbox
    }

    private func podNetwork(cidr: String, hostPorts: Bool) -> CNINetwork {
        CNINetwork(configList: NodeNetworkConfig.podNetwork(bridgeName: configuration.bridgeName, podCIDR: cidr,
                                                           ipamDataDirectory: layout.ipamDirectory, hostPorts: hostPorts),
                   pluginDirectory: configuration.cniBinDirectory)
    }

    private func isComplete(_ record: SandboxRecord) -> Bool {
        guard !record.sandbox.podIPs.isEmpty, Files.exists(record.sandbox.resolvConfPath) else { return false }
        let namespaces = [record.sandbox.networkNamespacePath, record.sandbox.ipcNamespacePath, record.sandbox.utsNamespacePath]
        // After a reboot the files remain but the namespaces are gone: not a usable sandbox.
        return namespaces.compactMap { $0 }.allSatisfy(PersistentNamespaces.isNamespaceMount)
    }

    /// The node's resolver files, read at each set-up (they may change while the agent runs).
    private func nameResolution() throws -> PodNameResolution {
        var resolvConf = (try? Files.readString("/etc/resolv.conf")) ?? nil ?? ""
        // systemd-resolved's stub listens on the node's loopback, which a pod cannot reach:
        // use the upstream servers it forwards to, as Kubernetes recommends.
        if resolvConf.contains("nameserver 127.0.0.53"),
           let upstream = (try? Files.readString("/run/systemd/resolve/resolv.conf")) ?? nil {
            resolvConf = upstream
        }
        return PodNameResolution(clusterDNS: configuration.clusterDNS, clusterDomain: configuration.clusterDomain,
                                 hostHostsFile: ((try? Files.readString("/etc/hosts")) ?? nil) ?? "",
                                 hostResolvConf: resolvConf)
    }

    // MARK: Tear-down

    /// CNI DEL, then the namespaces and files. Without `force` a failed DEL stops here (the
    /// record stays, so a retry releases the address); with it everything is removed anyway.
    func removeSandbox(podUID uid: String, force: Bool) async throws {
        let directory = layout.directory(uid)
        guard Files.exists(directory) else { return }
        let record = SandboxRecord.load(layout.record(uid))
        if let record, let configText = record.networkConfig {
            do {
                let network = CNINetwork(configList: try JSONValue(json: configText), pluginDirectory: configuration.cniBinDirectory)
                let netns = record.sandbox.networkNamespacePath ?? ""
                let mounted = PersistentNamespaces.isNamespaceMount(netns)
                try await network.delete(
                    .init(containerID: uid, networkNamespace: mounted ? netns : "", interfaceName: "eth0",
                          capabilityArgs: ["portMappings": try record.portMappings.map { try JSONValue(json: $0) } ?? []]),
                    previousResult: try record.networkResult.map { try JSONValue(json: $0) })
            } catch {
                if !force { throw error }
                logger.warning("CNI DEL of \(uid) failed, removing the sandbox anyway: \(error)")
            }
        }
        for kind in [NamespaceKind.network, .ipc, .uts] {
            try PersistentNamespaces.remove(layout.namespaceFile(uid, kind))
        }
        try Files.removeTree(directory)
    }

    // MARK: Checks

    /// The UID names a directory: it must not be able to point anywhere else.
    static func validate(podUID: String) throws {
        guard !podUID.isEmpty, podUID.count <= 128, podUID != ".", podUID != "..",
              podUID.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }) else {
            throw SandboxError.invalidRequest("pod UID \"\(podUID)\" is not a valid identifier")
        }
    }

    /// Hostnames are at most 63 characters (Kubernetes truncates the pod name the same way).
    static func podHostname(_ hostname: String) -> String {
        var name = String(hostname.prefix(63))
        while name.hasSuffix("-") || name.hasSuffix(".") { name.removeLast() }
        return name.isEmpty ? "pod" : name
    }

    static func isIPv4CIDR(_ text: String) -> Bool {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let prefix = Int(parts[1]), (0...32).contains(prefix) else { return false }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets.allSatisfy { Int($0).map { (0...255).contains($0) } ?? false }
    }
}
