import Logging

/// What CNI leaves on the node after the last DEL: the bridge device (the bridge plugin
/// never deletes it) and portmap's top-level iptables chains.
enum BridgeCleanup {
    static func deleteLink(_ name: String) async throws {
        let show = try await CommandRunner.run("/usr/sbin/ip", ["link", "show", "dev", name])
        guard show.status == 0 else { return }  // already gone
        try await CommandRunner.check("/usr/sbin/ip", ["link", "delete", "dev", name])
    }

    /// portmap (plugins 1.1) keeps `CNI-HOSTPORT-*` chains in the nat table, jumped to from
    /// PREROUTING, OUTPUT and POSTROUTING. They are shared by every CNI user on the machine,
    /// so they go only when the DNAT chain is empty (no hostPort of any sandbox remains).
    static func removeUnusedPortmapChains(logger: Logger) async {
        let iptables = "/usr/sbin/iptables"
        guard let rules = try? await CommandRunner.check(iptables, ["-t", "nat", "-S", "CNI-HOSTPORT-DNAT"]) else { return }
        let inUse = rules.split(separator: "\n").contains { $0.hasPrefix("-A CNI-HOSTPORT-DNAT") }
        guard !inUse else { return }
        let jumps = [("PREROUTING", "CNI-HOSTPORT-DNAT"), ("OUTPUT", "CNI-HOSTPORT-DNAT"), ("POSTROUTING", "CNI-HOSTPORT-MASQ")]
        for (chain, target) in jumps {
            guard let listing = try? await CommandRunner.check(iptables, ["-t", "nat", "-S", chain]) else { continue }
            for line in listing.split(separator: "\n") where line.hasPrefix("-A \(chain) ") && line.contains("-j \(target)") {
                // Each rule is deleted by its own specification (`-D` with the `-A` arguments).
                let arguments = ShellWords.split(String(line.dropFirst(3)))
                _ = try? await CommandRunner.run(iptables, ["-t", "nat", "-D"] + arguments)
            }
        }
        for chain in ["CNI-HOSTPORT-DNAT", "CNI-HOSTPORT-SETMARK", "CNI-HOSTPORT-MASQ"] {
            _ = try? await CommandRunner.run(iptables, ["-t", "nat", "-F", chain])
            _ = try? await CommandRunner.run(iptables, ["-t", "nat", "-X", chain])
        }
        logger.debug("removed portmap's chains")
    }
}

/// Splits an `iptables -S` line into arguments (double quotes group words, as iptables
/// prints comments).
enum ShellWords {
    static func split(_ line: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        var inWord = false
        for character in line {
            if character == "\"" {
                quoted.toggle()
                inWord = true
            } else if character == " " && !quoted {
                if inWord { words.append(current) }
                current = ""
                inWord = false
            } else {
                current.append(character)
                inWord = true
            }
        }
        if inWord { words.append(current) }
        return words
    }
}
