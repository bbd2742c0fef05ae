#if canImport(Glibc)
import Glibc
#endif
import APIModel

/// One immutable snapshot of every name the cluster DNS answers for, built from Services and
/// EndpointSlices (the Kubernetes DNS specification's records): a query is one dictionary
/// lookup, so the server never waits on the API.
///
/// - `<svc>.<ns>.svc.<domain>`: A/AAAA of the cluster IP; for a headless service the ready
///   endpoints' addresses; CNAME for ExternalName services.
/// - `<hostname>.<svc>.<ns>.svc.<domain>`: an endpoint with a hostname (StatefulSet pods).
/// - `_<port>._<proto>.<svc>.<ns>.svc.<domain>`: SRV for each named port.
/// - `<a-b-c-d>.<ns>.pod.<domain>`: A of that pod address.
/// - PTR for cluster IPs and for endpoints with hostnames.
public struct ClusterDNSTable: Sendable {
    public let domain: String
    public let ttl: UInt32
    /// Lowercased name → records at that name.
    var records: [String: [DNSRecordData]] = [:]
    /// Every existing name including empty non-terminals (`ns.svc.domain`), lowercased.
    var names: Set<String> = []

    public init(domain: String = "cluster.local", ttl: UInt32 = 5) {
        self.domain = domain.lowercased()
        self.ttl = ttl
        addName(self.domain)
    }

    /// The outcome of a lookup: an error code, or records (possibly none: NODATA).
    public struct Answer: Sendable, Equatable {
        public var code: DNSResponseCode
        public var answers: [DNSResourceRecord]
        public var additional: [DNSResourceRecord]
    }

    /// Whether `name` is this table's to answer (the cluster domain, or a reverse name of an
    /// address it knows).
    public func isAuthoritative(for name: String) -> Bool {
        let lower = name.lowercased()
        return lower == domain || lower.hasSuffix("." + domain) || records[lower] != nil
    }

    public func lookup(_ name: String, type: UInt16) -> Answer {
        let lower = name.lowercased()
        if let podAddress = podRecord(lower) {
            if type == DNSRecordType.a.rawValue || type == DNSRecordType.any.rawValue {
                return Answer(code: .noError, answers: [DNSResourceRecord(name: name, ttl: ttl, data: .a(podAddress))], additional: [])
            }
            return Answer(code: .noError, answers: [], additional: [])
        }
        guard names.contains(lower) else { return Answer(code: .nameError, answers: [], additional: []) }
        let here = records[lower] ?? []
        if let cname = here.first(where: { if case .cname = $0 { return true } else { return false } }),
           type != DNSRecordType.cname.rawValue {
            // An ExternalName: the CNAME, and what it points at if that is ours too.
            var answers = [DNSResourceRecord(name: name, ttl: ttl, data: cname)]
            if case .cname(let target) = cname, isAuthoritative(for: target) {
                answers += lookup(target, type: type).answers
            }
            return Answer(code: .noError, answers: answers, additional: [])
        }
        let matching = here.filter { type == DNSRecordType.any.rawValue || $0.type.rawValue == type }
        var additional: [DNSResourceRecord] = []
        for record in matching {
            if case .srv(_, _, _, let target) = record {
                for data in records[target.lowercased()] ?? [] where data.type == .a || data.type == .aaaa {
                    additional.append(DNSResourceRecord(name: target, ttl: ttl, data: data))
                }
            }
        }
        return Answer(code: .noError, answers: matching.map { DNSResourceRecord(name: name, ttl: ttl, data: $0) },
                      additional: additional)
    }

    /// The zone's SOA, sent in the authority section of negative answers (RFC 2308).
    public var soa: DNSResourceRecord {
        DNSResourceRecord(name: domain, ttl: ttl, data: .soa(
            primary: "ns.dns." + domain, mailbox: "hostmaster." + domain, serial: 1, refresh: 7200, retry: 1800,
            expire: 86400, minimum: ttl))
    }

    // MARK: Building

    /// Inserts `name` and every parent up to the zone: parents with no records of their own
    /// are empty non-terminals, answered NODATA rather than NXDOMAIN (RFC 8020).
    mutating func addName(_ name: String) {
        var current = Substring(name)
        while true {
            names.insert(String(current))
            guard current != domain, let dot = current.firstIndex(of: ".") else { break }
            current = current[current.index(after: dot)...]
        }
    }

    mutating func add(_ name: String, _ data: DNSRecordData) {
        let lower = name.lowercased()
        if lower == domain || lower.hasSuffix("." + domain) { addName(lower) } else { names.insert(lower) }
        if records[lower]?.contains(data) == true { return }
        records[lower, default: []].append(data)
    }

    /// `10-42-0-5.ns.pod.domain` → 10.42.0.5 (any such name answers, as CoreDNS's
    /// `pods insecure`).
    func podRecord(_ lower: String) -> [UInt8]? {
        let suffix = ".pod." + domain
        guard lower.hasSuffix(suffix) else { return nil }
        let head = lower.dropLast(suffix.count)
        let labels = head.split(separator: ".")
        guard labels.count == 2 else { return nil }
        return IPAddressBytes.ipv4(labels[0].replacingOccurrences(of: "-", with: "."))
    }
}

/// What the table is built from: a Service and the endpoints of its slices.
public struct DNSService: Sendable {
    public struct Port: Sendable, Hashable {
        public var name: String
        public var `protocol`: String
        public var port: Int
        public init(name: String, protocol: String, port: Int) {
            self.name = name
            self.protocol = `protocol`
            self.port = port
        }
    }

    public struct Endpoint: Sendable, Hashable {
        public var addresses: [String]
        public var hostname: String?
        public var ready: Bool
        public init(addresses: [String], hostname: String?, ready: Bool) {
            self.addresses = addresses
            self.hostname = hostname
            self.ready = ready
        }
    }

    public var namespace: String
    public var name: String
    public var clusterIPs: [String]
    public var headless: Bool
    public var externalName: String?
    public var publishNotReadyAddresses: Bool
    public var ports: [Port]
    /// Endpoints with the ports of their slices (named ports for SRV).
    public var endpoints: [Endpoint]
    public var endpointPorts: [Port]

    public init(namespace: String, name: String, clusterIPs: [String], headless: Bool, externalName: String? = nil,
                publishNotReadyAddresses: Bool = false, ports: [Port], endpoints: [Endpoint] = [], endpointPorts: [Port] = []) {
        self.namespace = namespace
        self.name = name
        self.clusterIPs = clusterIPs
        self.headless = headless
        self.externalName = externalName
        self.publishNotReadyAddresses = publishNotReadyAddresses
        self.ports = ports
        self.endpoints = endpoints
        self.endpointPorts = endpointPorts
    }
}

extension ClusterDNSTable {
    /// The table for these services.
    public static func build(services: [DNSService], domain: String = "cluster.local", ttl: UInt32 = 5) -> ClusterDNSTable {
        var table = ClusterDNSTable(domain: domain, ttl: ttl)
        for service in services { table.add(service) }
        return table
    }

    mutating func add(_ service: DNSService) {
        let serviceName = "\(service.name).\(service.namespace).svc.\(domain)".lowercased()
        if let external = service.externalName {
            add(serviceName, .cname(external.hasSuffix(".") ? String(external.dropLast()) : external))
            return
        }
        if !service.headless {
            addName(serviceName)
            for ip in service.clusterIPs { addAddress(serviceName, ip, reverse: true) }
            for port in service.ports where !port.name.isEmpty {
                add("_\(port.name)._\(port.protocol.lowercased()).\(serviceName)",
                    .srv(priority: 0, weight: 100, port: UInt16(clamping: port.port), target: serviceName))
            }
            return
        }
        addName(serviceName)
        let published = service.endpoints.filter { $0.ready || service.publishNotReadyAddresses }
        for endpoint in published {
            for ip in endpoint.addresses { addAddress(serviceName, ip, reverse: false) }
            // The endpoint's own name: its hostname, else its address with dashes.
            let label = endpoint.hostname ?? endpoint.addresses.first.map { $0.replacingOccurrences(of: ".", with: "-").replacingOccurrences(of: ":", with: "-") }
            guard let label else { continue }
            let endpointName = "\(label).\(serviceName)".lowercased()
            for ip in endpoint.addresses { addAddress(endpointName, ip, reverse: endpoint.hostname != nil) }
            for port in service.endpointPorts where !port.name.isEmpty {
                add("_\(port.name)._\(port.protocol.lowercased()).\(serviceName)",
                    .srv(priority: 0, weight: 100, port: UInt16(clamping: port.port), target: endpointName))
            }
        }
    }

    mutating func addAddress(_ name: String, _ ip: String, reverse: Bool) {
        if let v4 = IPAddressBytes.ipv4(ip) {
            add(name, .a(v4))
            if reverse { add(IPAddressBytes.reverseName(v4), .ptr(name)) }
        } else if let v6 = IPAddressBytes.ipv6(ip) {
            add(name, .aaaa(v6))
            if reverse { add(IPAddressBytes.reverseName(v6), .ptr(name)) }
        }
    }
}

/// Address text ↔ bytes, and reverse-lookup names.
enum IPAddressBytes {
    static func ipv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    static func ipv6(_ text: String) -> [UInt8]? {
        var address = in6_addr_bytes()
        return address.parse(text)
    }

    static func reverseName(_ bytes: [UInt8]) -> String {
        if bytes.count == 4 { return bytes.reversed().map(String.init).joined(separator: ".") + ".in-addr.arpa" }
        let hex = Array("0123456789abcdef")
        var nibbles: [String] = []
        for byte in bytes.reversed() {
            nibbles.append(String(hex[Int(byte & 0xF)]))
            nibbles.append(String(hex[Int(byte >> 4)]))
        }
        return nibbles.joined(separator: ".") + ".ip6.arpa"
    }
}

/// IPv6 text parsing through inet_pton.
struct in6_addr_bytes {
    mutating func parse(_ text: String) -> [UInt8]? {
        var storage = [UInt8](repeating: 0, count: 16)
        let ok = storage.withUnsafeMutableBytes { inet_pton(AF_INET6, text, $0.baseAddress) }
        return ok == 1 ? storage : nil
    }
}
