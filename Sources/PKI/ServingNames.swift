#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import X509

/// The names a serving certificate must be valid for. Clients check the name they dialled
/// against these, so every way a client may reach the server has to be listed: loopback for
/// `kubectl` on the host, the node's own addresses for other nodes, the in-cluster service IP
/// and DNS names for pods.
public struct ServingNames: Sendable, Hashable {
    public var dnsNames: [String]
    /// IPv4 or IPv6 addresses in textual form.
    public var ipAddresses: [String]

    public init(dnsNames: [String], ipAddresses: [String]) {
        self.dnsNames = dnsNames
        self.ipAddresses = ipAddresses
    }

    /// The apiserver's names, as k3s and kubeadm use them: loopback, `localhost`, the
    /// `kubernetes` service in every spelling, the first service IP, plus the node's addresses.
    public static func apiServer(
        nodeAddresses: [String] = [],
        nodeNames: [String] = [],
        serviceIP: String = "10.43.0.1",
        clusterDomain: String = "cluster.local"
    ) -> ServingNames {
        ServingNames(
            dnsNames: ["localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                       "kubernetes.default.svc.\(clusterDomain)"] + nodeNames,
            ipAddresses: ["127.0.0.1", "::1", serviceIP] + nodeAddresses
        )
    }

    /// Duplicates removed, order kept: the set that ends up in the certificate.
    public var normalized: ServingNames {
        var seenDNS = Set<String>(), seenIP = Set<[UInt8]>()
        var dns: [String] = [], ips: [String] = []
        for name in dnsNames where seenDNS.insert(name.lowercased()).inserted { dns.append(name.lowercased()) }
        for address in ipAddresses {
            if let bytes = try? Self.addressBytes(address), seenIP.insert(bytes).inserted { ips.append(address) }
        }
        return ServingNames(dnsNames: dns, ipAddresses: ips)
    }

    func generalNames() throws -> [GeneralName] {
        var names: [GeneralName] = []
        for name in normalized.dnsNames {
            guard !name.isEmpty, name.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
                throw PKIError.invalidInput("invalid DNS name for a certificate: \"\(name)\"")
            }
            names.append(.dnsName(name))
        }
        for address in ipAddresses { _ = try Self.addressBytes(address) }
        for address in normalized.ipAddresses {
            names.append(.ipAddress(.init(contentBytes: ArraySlice(try Self.addressBytes(address)))))
        }
        return names
    }

    /// The names found in a certificate, for comparing a certificate on disk against what is wanted.
    init(certificate: Certificate) {
        var dns: [String] = [], ips: [String] = []
        if let sans = try? certificate.extensions.subjectAlternativeNames {
            for name in sans {
                switch name {
                case .dnsName(let value): dns.append(value.lowercased())
                case .ipAddress(let octets):
                    if let text = Self.addressText(Array(octets.bytes)) { ips.append(text) }
                default: break
                }
            }
        }
        self.init(dnsNames: dns, ipAddresses: ips)
    }

    /// Whether `other` lists exactly the same names (ignoring order and spelling of addresses).
    func sameNames(as other: ServingNames) -> Bool {
        let mine = normalized, theirs = other.normalized
        return Set(mine.dnsNames) == Set(theirs.dnsNames)
            && Set(mine.ipAddresses.compactMap { try? Self.addressBytes($0) })
                == Set(theirs.ipAddresses.compactMap { try? Self.addressBytes($0) })
    }

    /// Whether `text` is an IPv4 or IPv6 address (TLS clients must not send those as SNI).
    public static func isIPAddress(_ text: String) -> Bool {
        (try? addressBytes(text)) != nil
    }

    static func addressBytes(_ text: String) throws -> [UInt8] {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        throw PKIError.invalidInput("not an IP address: \"\(text)\"")
    }

    static func addressText(_ bytes: [UInt8]) -> String? {
        let family: Int32
        switch bytes.count {
        case 4: family = AF_INET
        case 16: family = AF_INET6
        default: return nil
        }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let ok = bytes.withUnsafeBytes { raw in inet_ntop(family, raw.baseAddress, &buffer, socklen_t(buffer.count)) }
        guard ok != nil else { return nil }
        let length = buffer.firstIndex(of: 0) ?? buffer.count
        return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
