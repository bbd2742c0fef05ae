/// Renders `NFTablesProxyRules` as `nft -f` scripts: the whole table (first sync, resync) or
/// the delta between what was applied and what is wanted. Either is one nft transaction, so
/// packets never see a half-applied state.
public struct NFTablesScript: Sendable {
    public let table: String

    public init(table: String) {
        self.table = table
    }

    /// Replaces the table with `rules` in one transaction (creating it if missing).
    public func full(_ rules: NFTablesProxyRules) -> String {
        var out = "add table ip \(table)\ndelete table ip \(table)\n"
        out += "table ip \(table) {\n"
        out += "  map service-ips { type ipv4_addr . inet_proto . inet_service : verdict; }\n"
        out += "  map service-nodeports { type inet_proto . inet_service : verdict; }\n"
        out += "  map no-endpoint-services { type ipv4_addr . inet_proto . inet_service : verdict; }\n"
        out += "  map no-endpoint-nodeports { type inet_proto . inet_service : verdict; }\n"
        out += "  chain reject-chain {\n    meta l4proto tcp reject with tcp reset\n    reject\n  }\n"
        out += "  chain services {\n"
        out += "    ip daddr . meta l4proto . th dport vmap @service-ips\n"
        out += "    fib daddr type local meta l4proto . th dport vmap @service-nodeports\n"
        out += "  }\n"
        out += "  chain nat-prerouting { type nat hook prerouting priority -100; policy accept; jump services; }\n"
        out += "  chain nat-output { type nat hook output priority -100; policy accept; jump services; }\n"
        out += "  chain nat-postrouting {\n    type nat hook postrouting priority 100; policy accept;\n"
        out += "    meta mark & \(NFTablesProxyRules.masqueradeMark) == \(NFTablesProxyRules.masqueradeMark) masquerade\n  }\n"
        for hook in ["input", "forward", "output"] {
            out += "  chain filter-\(hook) {\n    type filter hook \(hook) priority -110; policy accept;\n"
            out += "    ct state new ip daddr . meta l4proto . th dport vmap @no-endpoint-services\n"
            if hook != "forward" {
                out += "    ct state new fib daddr type local meta l4proto . th dport vmap @no-endpoint-nodeports\n"
            }
            out += "  }\n"
        }
        out += "}\n"
        return out + delta(from: NFTablesProxyRules(), to: rules)
    }

    /// The commands that turn the applied `old` rules into `new`: only chains, set and map
    /// elements that differ are touched.
    public func delta(from old: NFTablesProxyRules, to new: NFTablesProxyRules) -> String {
        var out = ""
        for (set, timeout) in new.affinitySets.sorted(by: { $0.key < $1.key }) where old.affinitySets[set] != timeout {
            if old.affinitySets[set] != nil { out += "delete set ip \(table) \(set)\n" }
            out += "add set ip \(table) \(set) { type ipv4_addr; flags dynamic,timeout; timeout \(timeout)s; }\n"
        }
        let changed = new.chains.filter { old.chains[$0.key] != $0.value }.sorted { $0.key < $1.key }
        for (chain, _) in changed where old.chains[chain] == nil { out += "add chain ip \(table) \(chain)\n" }
        for (chain, rules) in changed {
            if old.chains[chain] != nil { out += "flush chain ip \(table) \(chain)\n" }
            for rule in rules { out += "add rule ip \(table) \(chain) \(rule)\n" }
        }
        out += mapDelta("service-ips", old.serviceIPs, new.serviceIPs)
        out += mapDelta("service-nodeports", old.nodePorts, new.nodePorts)
        out += mapDelta("no-endpoint-services", old.noEndpointServices, new.noEndpointServices)
        out += mapDelta("no-endpoint-nodeports", old.noEndpointNodePorts, new.noEndpointNodePorts)
        // Chains are removed once nothing refers to them: map elements first (above), then
        // service chains (which jump to endpoint chains), then endpoint chains, then sets.
        let removed = old.chains.keys.filter { new.chains[$0] == nil }
        for chain in removed.sorted() where !chain.hasPrefix("sep-") { out += "delete chain ip \(table) \(chain)\n" }
        for chain in removed.sorted() where chain.hasPrefix("sep-") { out += "delete chain ip \(table) \(chain)\n" }
        for set in old.affinitySets.keys.sorted() where new.affinitySets[set] == nil { out += "delete set ip \(table) \(set)\n" }
        return out
    }

    func mapDelta(_ map: String, _ old: [String: String], _ new: [String: String]) -> String {
        var out = ""
        let stale = old.filter { new[$0.key] != $0.value }.keys.sorted()
        if !stale.isEmpty { out += "delete element ip \(table) \(map) { \(stale.joined(separator: ", ")) }\n" }
        let fresh = new.filter { old[$0.key] != $0.value }.sorted { $0.key < $1.key }
        if !fresh.isEmpty {
            out += "add element ip \(table) \(map) { \(fresh.map { "\($0.key) : \($0.value)" }.joined(separator: ", ")) }\n"
        }
        return out
    }
}
