import APIModel

/// The contents of a pod's `/etc/hosts`, `/etc/resolv.conf` and `/etc/hostname`, computed
/// from the request as Kubernetes computes them (pure functions, so they are unit-tested
/// without a sandbox).
struct PodNameResolution {
    var clusterDNS: String
    var clusterDomain: String
    /// The node's `/etc/hosts` (what hostNetwork pods see).
    var hostHostsFile: String
    /// The node's resolv.conf (for dnsPolicy Default, and the search domains of ClusterFirst).
    var hostResolvConf: String

    /// At most three nameservers are used by the resolver; Kubernetes keeps the first three.
    static let maxNameservers = 3
    static let maxSearchDomains = 32

    // MARK: /etc/hosts

    func hostsFile(for request: PodSandboxRequest, podIPs: [String]) -> String {
        var text: String
        if request.hostNetwork {
            text = hostHostsFile
            if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        } else {
            text = """
            # skiff-managed hosts file.
            127.0.0.1\tlocalhost
            ::1\tlocalhost ip6-localhost ip6-loopback
            fe00::0\tip6-localnet
            fe00::0\tip6-mcastprefix
            fe00::1\tip6-allnodes
            fe00::2\tip6-allrouters

            """
            let hostname = request.hostname
            for ip in podIPs {
                if let subdomain = request.subdomain, !subdomain.isEmpty {
                    text += "\(ip)\t\(hostname).\(subdomain).\(request.namespace).svc.\(clusterDomain)\t\(hostname)\n"
                } else {
                    text += "\(ip)\t\(hostname)\n"
                }
            }
        }
        if !request.hostAliases.isEmpty {
            text += "\n# Entries added by HostAliases.\n"
            for alias in request.hostAliases where !alias.hostnames.isEmpty {
                text += "\(alias.ip)\t\(alias.hostnames.joined(separator: "\t"))\n"
            }
        }
        return text
    }

    // MARK: /etc/resolv.conf

    /// Nameservers, search domains and options of a resolv.conf.
    struct ResolverConfig: Equatable {
        var nameservers: [String] = []
        var searches: [String] = []
        var options: [String] = []

        var text: String {
            var lines: [String] = []
            if !searches.isEmpty { lines.append("search " + searches.joined(separator: " ")) }
            lines += nameservers.map { "nameserver \($0)" }
            if !options.isEmpty { lines.append("options " + options.joined(separator: " ")) }
            return lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")
        }

        /// Reads the lines a resolver uses; comments and unknown keywords are skipped.
        static func parse(_ text: String) -> ResolverConfig {
            var config = ResolverConfig()
            for line in text.split(separator: "\n") {
                let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                guard let keyword = fields.first, !keyword.hasPrefix("#"), !keyword.hasPrefix(";") else { continue }
                let values = Array(fields.dropFirst())
                switch keyword {
                case "nameserver": config.nameservers += values.prefix(1)
                // The last search (or domain) line wins, as in the resolver.
                case "search", "domain": config.searches = values
                case "options": config.options += values
                default: break
                }
            }
            return config
        }
    }

    /// The effective DNS policy: hostNetwork pods with ClusterFirst use the node's resolver
    /// unless they ask for ClusterFirstWithHostNet.
    static func effectivePolicy(_ request: PodSandboxRequest) -> String {
        switch request.dnsPolicy {
        case "ClusterFirstWithHostNet": return "ClusterFirst"
        case "ClusterFirst", "": return request.hostNetwork ? "Default" : "ClusterFirst"
        default: return request.dnsPolicy
        }
    }

    func resolverConfig(for request: PodSandboxRequest) throws -> ResolverConfig {
        let host = ResolverConfig.parse(hostResolvConf)
        var config: ResolverConfig
        switch Self.effectivePolicy(request) {
        case "ClusterFirst":
            config = ResolverConfig(
                nameservers: [clusterDNS],
                searches: ["\(request.namespace).svc.\(clusterDomain)", "svc.\(clusterDomain)", clusterDomain] + host.searches,
                options: ["ndots:5"])
        case "Default":
            config = host
        case "None":
            config = ResolverConfig()
        default:
            throw SandboxError.invalidRequest("unknown dnsPolicy \"\(request.dnsPolicy)\"")
        }
        if let dnsConfig = request.dnsConfig {
            config.nameservers += (dnsConfig["nameservers"]?.arrayValue ?? []).compactMap(\.stringValue)
            config.searches += (dnsConfig["searches"]?.arrayValue ?? []).compactMap(\.stringValue)
            for option in dnsConfig["options"]?.arrayValue ?? [] {
                guard let name = option["name"]?.stringValue, !name.isEmpty else { continue }
                let rendered = option["value"]?.stringValue.map { "\(name):\($0)" } ?? name
                // An option given in dnsConfig replaces the policy's option of the same name.
                config.options.removeAll { $0 == name || $0.hasPrefix(name + ":") }
                config.options.append(rendered)
            }
        }
        config.nameservers = Array(Self.unique(config.nameservers).prefix(Self.maxNameservers))
        config.searches = Array(Self.unique(config.searches.map { $0.hasSuffix(".") ? String($0.dropLast()) : $0 })
            .prefix(Self.maxSearchDomains))
        config.options = Self.unique(config.options)
        return config
    }

    func resolvConf(for request: PodSandboxRequest) throws -> String {
        try resolverConfig(for: request).text
    }

    static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { !$0.isEmpty && seen.insert($0).inserted }
    }
}
