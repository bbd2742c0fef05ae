/// What the service proxy programs, reduced from Services and EndpointSlices to exactly the
/// facts that shape packets. Equal values mean equal rules, which is what lets the proxy
/// rewrite only the services that changed.
public struct ProxyService: Sendable, Hashable {
    public struct Port: Sendable, Hashable {
        /// The Service port's name ("" when unnamed): endpoints are matched to it by name.
        public var name: String
        /// `tcp`, `udp` or `sctp`.
        public var `protocol`: String
        public var port: Int
        public var nodePort: Int?

        public init(name: String, protocol: String, port: Int, nodePort: Int? = nil) {
            self.name = name
            self.protocol = `protocol`.lowercased()
            self.port = port
            self.nodePort = nodePort
        }
    }

    /// One ready endpoint of one service port.
    public struct Endpoint: Sendable, Hashable, Comparable {
        public var ip: String
        public var port: Int
        /// On this node (for externalTrafficPolicy: Local).
        public var local: Bool

        public init(ip: String, port: Int, local: Bool = true) {
            self.ip = ip
            self.port = port
            self.local = local
        }

        public static func < (lhs: Endpoint, rhs: Endpoint) -> Bool { (lhs.ip, lhs.port) < (rhs.ip, rhs.port) }
    }

    public var namespace: String
    public var name: String
    /// IPv4 cluster IPs (headless services are not proxied and are left out).
    public var clusterIPs: [String]
    public var ports: [Port]
    /// Ready endpoints per Service port name.
    public var endpoints: [String: [Endpoint]]
    /// `sessionAffinity: ClientIP` and its timeout in seconds.
    public var clientIPAffinitySeconds: Int?
    /// `externalTrafficPolicy: Local`: node ports reach only this node's endpoints and keep the
    /// client's address.
    public var externalTrafficLocal: Bool

    public init(namespace: String, name: String, clusterIPs: [String], ports: [Port], endpoints: [String: [Endpoint]],
                clientIPAffinitySeconds: Int? = nil, externalTrafficLocal: Bool = false) {
        self.namespace = namespace
        self.name = name
        self.clusterIPs = clusterIPs
        self.ports = ports
        self.endpoints = endpoints.mapValues { $0.sorted() }
        self.clientIPAffinitySeconds = clientIPAffinitySeconds
        self.externalTrafficLocal = externalTrafficLocal
    }

    public var key: String { "\(namespace)/\(name)" }
}
