import NodeAgent
import PKI
import X509

/// The node agent's configuration as `skiff server` derives it from its options: one place,
/// so that `skiff down` cleans up exactly the directories, bridge and cgroups the agent used.
public struct AgentSettings: Sendable {
    public let options: ServerOptions
    public let layout: DataDirectoryLayout

    public init(options: ServerOptions, layout: DataDirectoryLayout) {
        self.options = options
        self.layout = layout
    }

    public func kubeletConfiguration(
        registryPort: Int? = nil, servingIdentity: CertifiedKey? = nil, clientCAs: [Certificate] = []
    ) -> KubeletConfiguration {
        KubeletConfiguration(
            nodeName: options.memberName,
            dataDirectory: layout.agent,
            nodeIP: options.nodeIP,
            registryEndpoint: registryPort.map { "http://127.0.0.1:\($0)" },
            streamingAddress: options.nodeIP,
            streamingPort: options.kubeletPort,
            servingIdentity: servingIdentity,
            clientCAs: clientCAs,
            podCIDR: firstNodeCIDR,
            bridgeName: options.bridgeName,
            cgroupRoot: options.cgroupRoot)
    }

    /// The first /24 of the cluster CIDR: the range node IPAM gives the first node, used by
    /// the server's own agent until (or unless) the Node's `spec.podCIDR` says otherwise, so
    /// its pods need not wait for the controller manager.
    var firstNodeCIDR: String? {
        let parts = options.clusterCIDR.split(separator: "/")
        guard parts.count == 2, let bits = Int(parts[1]), parts[0].split(separator: ".").count == 4 else { return nil }
        return bits <= 24 ? "\(parts[0])/24" : options.clusterCIDR
    }
}
