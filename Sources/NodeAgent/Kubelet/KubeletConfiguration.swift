import PKI
import X509

/// Everything a node agent is told by whoever starts it (`skiff server`, `skiff agent`, a
/// test): names, directories, addresses, and the identities it serves with.
public struct KubeletConfiguration: Sendable {
    public var nodeName: String
    /// The agent's own directory: runtime state, image store, pod directories, logs, volumes.
    public var dataDirectory: String
    /// The node address reported in `status.addresses` (InternalIP) and used for routes.
    public var nodeIP: String
    /// Every image is pulled from this registry (`http://127.0.0.1:5000`), whatever registry
    /// host its reference names: a development cluster never pulls from the internet. nil
    /// means images must already be in the node's image store (`imagePullPolicy` Never).
    public var registryEndpoint: String?
    public var clusterDNS: String
    public var clusterDomain: String
    /// Static pod manifests (YAML/JSON files), mirrored into the API as mirror pods.
    public var staticPodPath: String?
    /// The streaming server (logs, exec, attach, port-forward) the apiserver proxies to:
    /// `status.daemonEndpoints.kubeletEndpoint.Port` of the Node.
    public var streamingAddress: String
    public var streamingPort: Int
    /// The serving certificate of the streaming server, and the CAs whose client
    /// certificates it accepts (the apiserver's).
    public var servingIdentity: CertifiedKey?
    public var clientCAs: [Certificate]
    /// Where the CNI reference plugins are (`/usr/lib/cni`).
    public var cniBinDirectory: String
    /// The pod CIDR to use when no controller assigns one to the Node (`spec.podCIDR` wins).
    public var podCIDR: String?
    /// Name of the node's bridge (`skiff0`); tests use their own names.
    public var bridgeName: String
    /// The cgroup under which every pod's cgroup lives (`skiff` → `skiff/kubepods/…`).
    public var cgroupRoot: String
    public var maxPods: Int
    /// Reserved for the system and skiff itself, subtracted from capacity for allocatable.
    public var reservedCPUMillicores: Int
    public var reservedMemoryBytes: Int64
    /// Node heartbeat: the Lease is renewed every `leaseRenewInterval`.
    public var leaseDurationSeconds: Int
    public var leaseRenewInterval: Duration
    /// Labels added to the standard ones on registration.
    public var nodeLabels: [String: String]

    public init(nodeName: String, dataDirectory: String, nodeIP: String = "127.0.0.1",
                registryEndpoint: String? = nil, clusterDNS: String = "10.43.0.10",
                clusterDomain: String = "cluster.local", staticPodPath: String? = nil,
                streamingAddress: String = "127.0.0.1", streamingPort: Int = 10250,
                servingIdentity: CertifiedKey? = nil, clientCAs: [Certificate] = [],
                cniBinDirectory: String = "/usr/lib/cni", podCIDR: String? = nil, bridgeName: String = "skiff0", cgroupRoot: String = "skiff",
                maxPods: Int = 110, reservedCPUMillicores: Int = 100, reservedMemoryBytes: Int64 = 256 << 20,
                leaseDurationSeconds: Int = 40, leaseRenewInterval: Duration = .seconds(10),
                nodeLabels: [String: String] = [:]) {
        self.nodeName = nodeName
        self.dataDirectory = dataDirectory
        self.nodeIP = nodeIP
        self.registryEndpoint = registryEndpoint
        self.clusterDNS = clusterDNS
        self.clusterDomain = clusterDomain
        self.staticPodPath = staticPodPath
        self.streamingAddress = streamingAddress
        self.streamingPort = streamingPort
        self.servingIdentity = servingIdentity
        self.clientCAs = clientCAs
        self.cniBinDirectory = cniBinDirectory
        self.podCIDR = podCIDR
        self.bridgeName = bridgeName
        self.cgroupRoot = cgroupRoot
        self.maxPods = maxPods
        self.reservedCPUMillicores = reservedCPUMillicores
        self.reservedMemoryBytes = reservedMemoryBytes
        self.leaseDurationSeconds = leaseDurationSeconds
        self.leaseRenewInterval = leaseRenewInterval
        self.nodeLabels = nodeLabels
    }
}
