/// The nftables ruleset of the service proxy, as data: one table owned by skiff, fixed base
/// chains, verdict maps from (address, protocol, port) to a chain per service port, and a
/// chain per endpoint that DNATs. Rendering a *delta* between two of these is what keeps a
/// change with thousands of services present down to the few lines that differ.
///
/// Layout (kube-proxy's nftables mode has the same shape, which is the natural one for nft):
/// - `services` (jumped to from nat prerouting and output): cluster IPs through the
///   `service-ips` map; destinations local to the node through `service-nodeports`.
/// - `svc-<id>`: affinity lookups, then `numgen random mod N` spreads new connections over
///   the endpoints (conntrack keeps a connection on its endpoint).
/// - `sep-<id>`: marks hairpin traffic (a pod reaching itself) for masquerade, records
///   affinity, DNATs.
/// - `filter-*` (filter hooks): a service with no ready endpoints is rejected at once
///   (`no-endpoint-services`), so clients see "connection refused", not a timeout.
/// - `nat-postrouting`: masquerades marked packets (hairpin, node ports from the node itself
///   or with the Cluster policy).
public struct NFTablesProxyRules: Sendable, Equatable {
    public static let masqueradeMark = "0x4000"

    /// Chain name → its rules, for the per-service and per-endpoint chains.
    public var chains: [String: [String]] = [:]
    /// Elements of the verdict maps: key → verdict.
    public var serviceIPs: [String: String] = [:]
    public var nodePorts: [String: String] = [:]
    public var noEndpointServices: [String: String] = [:]
    public var noEndpointNodePorts: [String: String] = [:]
    /// Affinity sets (name → timeout seconds).
    public var affinitySets: [String: Int] = [:]

    public init() {}

    /// The desired rules for `services`.
    public static func build(_ services: [ProxyService]) -> NFTablesProxyRules {
        var rules = NFTablesProxyRules()
        for service in services.sorted(by: { $0.key < $1.key }) { rules.add(service) }
        return rules
    }

    mutating func add(_ service: ProxyService) {
        for port in service.ports where ["tcp", "udp", "sctp"].contains(port.protocol) {
            let all = service.endpoints[port.name] ?? []
            let portID = "\(service.namespace)/\(service.name)/\(port.protocol)/\(port.name.isEmpty ? String(port.port) : port.name)"
            let serviceChain = "svc-" + Self.identifier(portID)
            let key = { (ip: String, number: Int) in "\(ip) . \(port.protocol) . \(number)" }
            if all.isEmpty {
                for ip in service.clusterIPs { noEndpointServices[key(ip, port.port)] = "goto reject-chain" }
                if let nodePort = port.nodePort { noEndpointNodePorts["\(port.protocol) . \(nodePort)"] = "goto reject-chain" }
                continue
            }
            chains[serviceChain] = serviceRules(service, port: port, endpoints: all, portID: portID)
            for ip in service.clusterIPs { serviceIPs[key(ip, port.port)] = "goto \(serviceChain)" }
            if let nodePort = port.nodePort {
                if service.externalTrafficLocal {
                    let local = all.filter(\.local)
                    if local.isEmpty {
                        noEndpointNodePorts["\(port.protocol) . \(nodePort)"] = "goto reject-chain"
                    } else {
                        let localChain = "ext-" + Self.identifier(portID)
                        chains[localChain] = serviceRules(service, port: port, endpoints: local, portID: portID + "/local")
                        nodePorts["\(port.protocol) . \(nodePort)"] = "goto \(localChain)"
                    }
                } else {
                    // Cluster policy: masquerade, so replies from an endpoint anywhere come back here.
                    let externalChain = "ext-" + Self.identifier(portID)
                    chains[externalChain] = ["meta mark set meta mark | \(Self.masqueradeMark)", "goto \(serviceChain)"]
                    nodePorts["\(port.protocol) . \(nodePort)"] = "goto \(externalChain)"
                }
            }
        }
    }

    func serviceRulesAffinitySet(_ endpointChain: String) -> String { "aff-" + endpointChain.dropFirst(4) }

    mutating func serviceRules(_ service: ProxyService, port: ProxyService.Port, endpoints: [ProxyService.Endpoint],
                               portID: String) -> [String] {
        var rules: [String] = []
        var endpointChains: [String] = []
        for endpoint in endpoints {
            let chain = "sep-" + Self.identifier("\(portID)/\(endpoint.ip):\(endpoint.port)")
            endpointChains.append(chain)
            var endpointRules = [
                // Hairpin: a pod reaching itself through the service needs its source rewritten.
                "ip saddr \(endpoint.ip) meta mark set meta mark | \(Self.masqueradeMark)",
            ]
            if let timeout = service.clientIPAffinitySeconds {
                let set = serviceRulesAffinitySet(chain)
                affinitySets[set] = timeout
                endpointRules.append("update @\(set) { ip saddr }")
            }
            endpointRules.append("meta l4proto \(port.protocol) dnat to \(endpoint.ip):\(endpoint.port)")
            chains[chain] = endpointRules
        }
        if service.clientIPAffinitySeconds != nil {
            for chain in endpointChains { rules.append("ip saddr @\(serviceRulesAffinitySet(chain)) goto \(chain)") }
        }
        if endpointChains.count == 1 {
            rules.append("goto \(endpointChains[0])")
        } else {
            let arms = endpointChains.enumerated().map { "\($0.offset) : goto \($0.element)" }.joined(separator: ", ")
            rules.append("numgen random mod \(endpointChains.count) vmap { \(arms) }")
        }
        return rules
    }

    /// A short stable name part: 16 hex digits of FNV-1a 64 over the identity.
    static func identifier(_ text: String) -> String {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100000001b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
