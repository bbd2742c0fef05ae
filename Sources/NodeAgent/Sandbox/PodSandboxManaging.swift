import APIModel

/// A hostPort mapping of one container port (CNI `portmap` capability).
public struct PortMapping: Sendable, Hashable {
    public var hostPort: Int
    public var containerPort: Int
    /// `tcp`, `udp` or `sctp`.
    public var `protocol`: String
    public var hostIP: String?

    public init(hostPort: Int, containerPort: Int, protocol: String = "tcp", hostIP: String? = nil) {
        self.hostPort = hostPort
        self.containerPort = containerPort
        self.protocol = `protocol`
        self.hostIP = hostIP
    }
}

/// What a pod's sandbox needs: identity, network mode, names, DNS and port mappings. Built by
/// the kubelet from the PodSpec.
public struct PodSandboxRequest: Sendable {
    public var podUID: String
    public var namespace: String
    public var name: String
    /// `spec.hostname` or the pod name; with `spec.subdomain` the FQDN is
    /// `<hostname>.<subdomain>.<namespace>.svc.<clusterDomain>`.
    public var hostname: String
    public var subdomain: String?
    /// `spec.hostNetwork`: no network namespace, the node's hosts/resolv.conf.
    public var hostNetwork: Bool
    /// `spec.hostAliases` as (ip, hostnames).
    public var hostAliases: [(ip: String, hostnames: [String])]
    /// `spec.dnsPolicy` (`ClusterFirst` default, `Default`, `None`, `ClusterFirstWithHostNet`).
    public var dnsPolicy: String
    /// `spec.dnsConfig` (nameservers, searches, options) as sent.
    public var dnsConfig: JSONValue?
    public var portMappings: [PortMapping]

    public init(podUID: String, namespace: String, name: String, hostname: String, subdomain: String? = nil,
                hostNetwork: Bool = false, hostAliases: [(ip: String, hostnames: [String])] = [],
                dnsPolicy: String = "ClusterFirst", dnsConfig: JSONValue? = nil, portMappings: [PortMapping] = []) {
        self.podUID = podUID
        self.namespace = namespace
        self.name = name
        self.hostname = hostname
        self.subdomain = subdomain
        self.hostNetwork = hostNetwork
        self.hostAliases = hostAliases
        self.dnsPolicy = dnsPolicy
        self.dnsConfig = dnsConfig
        self.portMappings = portMappings
    }
}

/// A pod's sandbox as set up on the node: the network namespace every container of the pod
/// joins (with the ipc and uts namespaces the kubelet creates alongside), the pod's IPs, and
/// the files bind-mounted into each container.
public struct PodSandbox: Sendable, Hashable, Codable {
    public var podUID: String
    /// `/run/netns/…`-style path of the pod's network namespace; nil with hostNetwork.
    public var networkNamespacePath: String?
    /// The pod's ipc and uts namespaces (bind-mounted files like the network namespace), which
    /// every container joins; the uts namespace carries the pod's hostname.
    public var ipcNamespacePath: String?
    public var utsNamespacePath: String?
    /// The pod's addresses (IPv4 first); the node's with hostNetwork.
    public var podIPs: [String]
    /// Files to bind at `/etc/hosts`, `/etc/resolv.conf` and `/etc/hostname` in each container.
    public var hostsFilePath: String
    public var resolvConfPath: String
    public var hostnameFilePath: String

    public init(podUID: String, networkNamespacePath: String?, ipcNamespacePath: String?, utsNamespacePath: String?,
                podIPs: [String], hostsFilePath: String, resolvConfPath: String, hostnameFilePath: String) {
        self.podUID = podUID
        self.networkNamespacePath = networkNamespacePath
        self.ipcNamespacePath = ipcNamespacePath
        self.utsNamespacePath = utsNamespacePath
        self.podIPs = podIPs
        self.hostsFilePath = hostsFilePath
        self.resolvConfPath = resolvConfPath
        self.hostnameFilePath = hostnameFilePath
    }
}

/// Creates and removes pod sandboxes (network namespace, CNI ADD/DEL, hosts, resolv.conf).
/// Every method is idempotent and survives a restart of the agent: `setUp` of a pod whose
/// sandbox exists returns it unchanged; `tearDown` of a missing one does nothing.
public protocol PodSandboxManaging: Sendable {
    /// The node's pod CIDR (`spec.podCIDR` once node IPAM assigned it, or the configured
    /// one): host-local IPAM allocates pod addresses from it. Called before the first `setUp`
    /// and again if it changes.
    func setPodCIDR(_ cidr: String) async throws
    func setUp(_ request: PodSandboxRequest) async throws -> PodSandbox
    func tearDown(podUID: String) async throws
    /// The sandbox recorded on disk for `podUID`, if any (adoption after an agent restart).
    func existing(podUID: String) async -> PodSandbox?
    /// Every sandbox recorded on disk (so the kubelet can remove those of deleted pods).
    func all() async -> [PodSandbox]
}
