import APIModel

/// The node's pod networks: the pods' bridge with host-local addresses from the node's pod
/// CIDR and portmap for hostPorts, and the loopback network every pod gets.
enum NodeNetworkConfig {
    static let networkName = "skiff"

    /// `bridge` (a gateway on the node, no masquerade: traffic between nodes stays pure L3,
    /// and nothing is NATed off the machine; hairpin so a pod reaches itself through a
    /// Service), `host-local` IPAM with a default route through the gateway, and `portmap`
    /// when the pod has hostPorts (without any, portmap would only cost two more plugin runs
    /// and its iptables calls on every start and stop).
    static func podNetwork(bridgeName: String, podCIDR: String, ipamDataDirectory: String, hostPorts: Bool) -> JSONValue {
        var network: JSONValue = [
            "cniVersion": "1.0.0",
            "name": .string(networkName),
            "plugins": [
                [
                    "type": "bridge",
                    "bridge": .string(bridgeName),
                    "isGateway": true,
                    "ipMasq": false,
                    "hairpinMode": true,
                    "ipam": [
                        "type": "host-local",
                        "ranges": [[["subnet": .string(podCIDR)]]],
                        "routes": [["dst": "0.0.0.0/0"]],
                        "dataDir": .string(ipamDataDirectory),
                    ],
                ],
            ],
        ]
        if hostPorts {
            network.modify("plugins") { plugins in
                guard case .array(var list)? = plugins else { return }
                list.append(["type": "portmap", "capabilities": ["portMappings": true], "snat": true])
                plugins = .array(list)
            }
        }
        return network
    }

    static let loopbackNetwork: JSONValue = [
        "cniVersion": "1.0.0",
        "name": "skiff-loopback",
        "plugins": [["type": "loopback"]],
    ]

    /// The `portMappings` capability argument for the portmap plugin.
    static func portMappings(_ mappings: [PortMapping]) -> JSONValue {
        .array(mappings.map { mapping in
            var entry: JSONValue = [
                "hostPort": .int(Int64(mapping.hostPort)),
                "containerPort": .int(Int64(mapping.containerPort)),
                "protocol": .string(mapping.protocol.lowercased()),
            ]
            if let hostIP = mapping.hostIP, !hostIP.isEmpty { entry["hostIP"] = .string(hostIP) }
            return entry
        })
    }
}
