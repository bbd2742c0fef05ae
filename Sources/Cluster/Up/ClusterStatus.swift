import APIModel
import ClusterClient
import Foundation
import KVStore

/// `skiff status`: whether the cluster's parts are up and healthy — the server process,
/// the apiserver's health, who holds the scheduler and controller-manager leases, the
/// node's readiness, and each store member.
public struct ClusterStatus: Sendable {
    public var settings: ClusterSettings

    public init(settings: ClusterSettings) {
        self.settings = settings
    }

    /// The report, one line per item; `healthy` is false when any part is down.
    public func report() async -> (lines: [String], healthy: Bool) {
        var lines = ["Cluster \"\(settings.clusterName)\" (data \(settings.dataDirectory))"]
        var healthy = true
        func add(_ ok: Bool, _ text: String) {
            lines.append("  \(ok ? "✓" : "✗") \(text)")
            if !ok { healthy = false }
        }
        guard let pid = PIDFile(path: settings.layout.pidFile).runningProcess() else {
            add(false, "server: not running (start it with 'skiff up --name \(settings.clusterName)')")
            return (lines, false)
        }
        add(true, "server: running, pid \(pid)")

        let server = "https://127.0.0.1:\(settings.apiPort)"
        do {
            let access = try AdminAccess(settings: settings)
            try await access.withClient(server: server) { client in
                let health = try await client.raw(method: "GET", path: "/readyz")
                add(health.status == 200, "apiserver \(server): \(health.status == 200 ? "ready" : "not ready (HTTP \(health.status))")")
                for lease in [ServerComponents.schedulerLease, ServerComponents.controllerManagerLease] {
                    let holder = try? await client.get(.leases, namespace: "kube-system", name: lease)
                    let identity = holder?["spec"]?["holderIdentity"]?.stringValue
                    add(identity != nil, "\(lease): \(identity.map { "leader \($0)" } ?? "no leader")")
                }
                let nodes = try await client.list(.nodes)
                if nodes.items.isEmpty { add(false, "nodes: none registered") }
                for node in nodes.items {
                    let ready = NodeConditions.status(of: "Ready", in: node) ?? "Unknown"
                    add(ready == "True", "node \(node.name): Ready=\(ready)")
                }
            }
        } catch {
            add(false, "apiserver \(server): \(error)")
        }

        do {
            let members = try await GatewayClient(endpoints: [settings.storeClientURL]).memberList().members
            for member in members {
                var state = "unreachable"
                var ok = false
                if let url = member.clientURLs.first,
                   let status = try? await GatewayClient(endpoints: [url], timeout: .seconds(2)).status() {
                    ok = true
                    let isLeader = status.header?.memberID == status.leader
                    state = "healthy, \(isLeader ? "leader" : "follower"), term \(status.raftTerm), revision \(status.header?.revision ?? 0)"
                }
                add(ok, "store member \(member.name ?? String(member.id, radix: 16)) \(member.clientURLs.first ?? ""): \(state)\(member.isLearner ? " (learner)" : "")")
            }
        } catch {
            add(false, "store \(settings.storeClientURL): \(error)")
        }
        return (lines, healthy)
    }
}
