import APIModel
import ClusterClient
import ClusterTestSupport
import Controllers
import Foundation
import Testing

/// DaemonSets against a real apiserver with Node objects: one pod per eligible node, pinned
/// to it, following nodes as they are added, tainted and removed.
@Suite(.serialized) struct WorkloadDaemonSetTests {
    static func node(_ name: String, labels: JSONValue = .emptyObject, taints: [JSONValue] = []) -> JSONValue {
        var node: JSONValue = ["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(name), "labels": labels]]
        if !taints.isEmpty { node["spec"] = ["taints": .array(taints)] }
        return node
    }

    static func podNodes(_ client: ClusterClient, _ ns: String) async throws -> [String] {
        try await WorkloadFixtures.pods(client, ns, app: "agent").compactMap { pod in
            pod["spec"]?["affinity"]?["nodeAffinity"]?["requiredDuringSchedulingIgnoredDuringExecution"]?["nodeSelectorTerms"]?[0]?["matchFields"]?[0]?["values"]?[0]?.stringValue
        }.sorted()
    }

    @Test func followsNodeAdditionsAndRemovals() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            let ns = "ds-nodes"
            try await WorkloadFixtures.namespace(client, ns)
            for name in ["node-a", "node-b"] { _ = try await client.create(.nodes, Self.node(name)) }
            let hollow = HollowNodes(client: client, namespace: ns, readyAfter: .milliseconds(100))
            try await withWorkloadControllers(cluster, { [DaemonSetController(context: $0)] }) {
                try await withHollowNodes(hollow) {
                    _ = try await client.create(.daemonSets, [
                        "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": ["name": "agent", "namespace": .string(ns)],
                        "spec": ["selector": ["matchLabels": ["app": "agent"]], "template": WorkloadFixtures.podTemplate(app: "agent")]])
                    try await eventually("a pod on each node") { () -> Bool? in
                        try await Self.podNodes(client, ns) == ["node-a", "node-b"] ? true : nil
                    }
                    let pod = try #require(try await WorkloadFixtures.pods(client, ns, app: "agent").first)
                    let tolerations = pod["spec"]?["tolerations"]?.arrayValue ?? []
                    #expect(tolerations.contains { $0["key"] == "node.kubernetes.io/unreachable" && $0["effect"] == "NoExecute" })
                    #expect(tolerations.contains { $0["key"] == "node.kubernetes.io/unschedulable" && $0["effect"] == "NoSchedule" })
                    #expect(pod["spec"]?["nodeName"] == nil, "placed by the scheduler, not the controller")

                    _ = try await client.create(.nodes, Self.node("node-c"))
                    _ = try await client.create(.nodes, Self.node("node-tainted", taints: [["key": "dedicated", "value": "db", "effect": "NoSchedule"]]))
                    try await eventually("a pod on the added node") { () -> Bool? in
                        try await Self.podNodes(client, ns) == ["node-a", "node-b", "node-c"] ? true : nil
                    }
                    try await eventually("status counting 3 nodes") { () -> Bool? in
                        let ds = try await client.get(.daemonSets, namespace: ns, name: "agent")
                        let status = ds["status"] ?? .emptyObject
                        return status["desiredNumberScheduled"] == 3 && status["currentNumberScheduled"] == 3
                            && status["numberReady"] == 3 && status["updatedNumberScheduled"] == 3 ? true : nil
                    }
                    try await client.delete(.nodes, name: "node-b")
                    try await eventually("the removed node's pod gone") { () -> Bool? in
                        try await Self.podNodes(client, ns) == ["node-a", "node-c"] ? true : nil
                    }
                    // Labels: a node selector now excludes node-c.
                    _ = try await client.patch(.nodes, name: "node-a", type: .merge, ["metadata": ["labels": ["role": "edge"]]])
                    _ = try await client.patch(.daemonSets, namespace: ns, name: "agent", type: .merge,
                                               ["spec": ["template": ["spec": ["nodeSelector": ["role": "edge"]]]]])
                    try await eventually("only the labelled node keeps a pod") { () -> Bool? in
                        try await Self.podNodes(client, ns) == ["node-a"] ? true : nil
                    }
                }
            }
        }
    }
}
