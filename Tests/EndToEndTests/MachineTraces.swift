import Foundation

/// What a cluster may leave on the machine, looked up by the names that are unique to one
/// test run (data directory, pod UIDs, bridge, cgroup root, pod CIDR): mounts, network
/// namespaces, cgroups, the bridge, routes, nftables tables and processes. Things of other
/// tests running at the same time do not carry these names, so they are never counted.
struct MachineTraces {
    let cluster: UpCluster
    let podUIDs: [String]

    /// The name variants a pod UID takes in paths (`-` or `_` between the groups).
    var uidSpellings: [String] { podUIDs.flatMap { [$0, $0.replacingOccurrences(of: "-", with: "_")] } }

    /// Every trace found, each a line saying what and where; empty when the machine is clean.
    func leftovers() async throws -> [String] {
        var found: [String] = []
        let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
        for line in mounts.split(separator: "\n") where mentionsRun(String(line)) {
            found.append("mount: \(line)")
        }
        let namespaces = (try? FileManager.default.contentsOfDirectory(atPath: "/run/netns")) ?? []
        for name in namespaces where mentionsRun(name) { found.append("network namespace: /run/netns/\(name)") }

        for directory in ["/sys/fs/cgroup/\(cluster.cgroupRoot)"]
            + ((try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? []).map({ "/sys/fs/cgroup/\($0)/\(cluster.cgroupRoot)" })
        where FileManager.default.fileExists(atPath: directory) {
            found.append("cgroup: \(directory)")
        }
        if FileManager.default.fileExists(atPath: "/sys/class/net/\(cluster.bridge)") {
            found.append("bridge: \(cluster.bridge)")
        }
        if let ip = Tools.which("ip") {
            let routes = try await Tools.run(ip, ["route", "show"]).stdout
            let prefix = cluster.clusterCIDR.split(separator: ".").prefix(2).joined(separator: ".") + "."
            for line in routes.split(separator: "\n") where line.hasPrefix(prefix) || line.contains(cluster.bridge) {
                found.append("route: \(line)")
            }
        }
        if let nft = Tools.which("nft") {
            let tables = try await Tools.run(nft, ["list", "tables"]).stdout
            for line in tables.split(separator: "\n") where mentionsRun(String(line)) || line.contains(cluster.name) {
                found.append("nftables: \(line)")
            }
        }
        for pid in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] where Int32(pid) != nil {
            guard Int32(pid) != getpid() else { continue }
            let cgroup = (try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)) ?? ""
            let command = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline")
                .map { String(decoding: $0.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self) } ?? ""
            if cgroup.contains("/\(cluster.cgroupRoot)/") || uidSpellings.contains(where: cgroup.contains)
                || command.contains(cluster.dataDirectory) {
                found.append("process \(pid): \(command)")
            }
        }
        return found
    }

    func mentionsRun(_ text: String) -> Bool {
        text.contains(cluster.root) || text.contains(cluster.bridge) || text.contains(cluster.cgroupRoot)
            || uidSpellings.contains(where: text.contains)
    }

    /// The host pid of the process named `command` in the pod with `uid` (found through its cgroup).
    static func hostPID(ofCommand command: String, inPod uid: String) -> Int32? {
        let spellings = [uid, uid.replacingOccurrences(of: "-", with: "_")]
        for pid in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
            guard let number = Int32(pid) else { continue }
            let comm = (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            guard comm == command else { continue }
            let cgroup = (try? String(contentsOfFile: "/proc/\(pid)/cgroup", encoding: .utf8)) ?? ""
            if spellings.contains(where: cgroup.contains) { return number }
        }
        return nil
    }
}
