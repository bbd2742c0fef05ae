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
            bridgeName: options.bridgeName,
            cgroupRoot: options.cgroupRoot)
    }
}
