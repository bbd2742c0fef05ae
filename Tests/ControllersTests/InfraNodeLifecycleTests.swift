import APIModel
import ClusterClient
import ClusterTestSupport
import Controllers
import Foundation
import Synchronization
import Testing

/// A node whose kubelet goes silent: Ready=Unknown, tainted, its pods evicted after their
/// toleration and replaced by their ReplicaSet on the node that is still alive.
@Suite(.serialized, .timeLimit(.minutes(3))) struct InfraNodeLifecycleTests {
    static func microTime(_ date: Date = Date()) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC") ?? .current))
    }

    /// Creates a Node reporting Ready now, and its Lease in kube-node-lease.
    static func registerNode(_ client: ClusterClient, _ name: String) async throws {
        _ = try await client.create(.nodes, ["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(name)]])
        var node = try await client.get(.nodes, name: name)
        let now = microTime().replacingOccurrences(of: #"\.\d+"#, with: "", options: .regularExpression)
        node["status"] = ["conditions": [
            ["type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
             "lastHeartbeatTime": .string(now), "lastTransitionTime": .string(now)],
        ]]
        _ = try await client.update(.nodes, node, subresource: "status")
        _ = try await client.create(.leases, ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": .string(name), "namespace": "kube-node-lease"],
            "spec": ["holderIdentity": .string(name), "leaseDurationSeconds": 40, "renewTime": .string(microTime())]])
    }

    static func renewLease(_ client: ClusterClient, _ name: String) async throws {
        var lease = try await client.get(.leases, namespace: "kube-node-lease", name: name)
        lease["spec"]?["renewTime"] = .string(microTime())
        _ = try await client.update(.leases, lease)
    }

    static func bind(_ client: ClusterClient, pod: String, namespace: String, node: String) async throws {
        let binding: JSONValue = ["apiVersion": "v1", "kind": "Binding", "metadata": ["name": .string(pod), "namespace": .string(namespace)],
                                  "target": ["apiVersion": "v1", "kind": "Node", "name": .string(node)]]
        _ = try await client.create(.pods, namespace: namespace, binding, name: pod, subresource: "binding")
    }

    @Test func silentNodeIsTaintedAndItsPodsAreEvictedAndReplaced() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            try await Self.registerNode(client, "alive")
            try await Self.registerNode(client, "silent")
            // The kubelets: "alive" renews for the whole test, "silent" until told to stop.
            let silentRenews = Atomic<Bool>(true)
            let heartbeats = Task {
                while !Task.isCancelled {
                    try? await Self.renewLease(client, "alive")
                    if silentRenews.load(ordering: .relaxed) { try? await Self.renewLease(client, "silent") }
                    try? await Task.sleep(for: .milliseconds(300))
                }
            }
            defer { heartbeats.cancel() }
            let options = ControllerManagerOptions(nodeMonitorGracePeriod: .seconds(3))
            try await withInfraControllers(cluster, controllers: ["nodelifecycle", "replicaset"], options: options) {
                _ = try await client.create(.namespaces, InfraFixtures.namespace("apps"))
                let toleration: JSONValue = ["key": "node.kubernetes.io/unreachable", "operator": "Exists",
                                             "effect": "NoExecute", "tolerationSeconds": 2]
                _ = try await client.create(.replicaSets, InfraFixtures.replicaSet("app", namespace: "apps", replicas: 2,
                                                                                   tolerations: [toleration]))
                try await eventually("the ReplicaSet's two pods") {
                    try await client.listAll(.pods, namespace: "apps").items.count == 2
                }
                let original = try await client.listAll(.pods, namespace: "apps").items.map(\.name)
                for (index, pod) in original.enumerated() {
                    try await Self.bind(client, pod: pod, namespace: "apps", node: "silent")
                    try await InfraFixtures.setPodStatus(client, namespace: "apps", name: pod, ip: "10.42.1.\(index + 2)", ready: true)
                }
                // Healthy for longer than the grace period: nothing happens.
                try await Task.sleep(for: .seconds(4))
                #expect(try await client.get(.nodes, name: "silent").nodeReadyStatus == "True")
                #expect(try await client.get(.nodes, name: "silent")["spec"]?["taints"] == nil)

                silentRenews.store(false, ordering: .relaxed)
                try await eventually("the silent node to become Ready=Unknown and tainted") {
                    let node = try await client.get(.nodes, name: "silent")
                    let taints = node["spec"]?["taints"]?.arrayValue ?? []
                    return node.nodeReadyStatus == "Unknown"
                        && taints.contains { $0["key"] == "node.kubernetes.io/unreachable" && $0["effect"] == "NoExecute" }
                        && taints.contains { $0["key"] == "node.kubernetes.io/unreachable" && $0["effect"] == "NoSchedule" }
                }
                let silent = try await client.get(.nodes, name: "silent")
                let ready = silent["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Ready" }
                #expect(ready?["reason"] == "NodeStatusUnknown")
                #expect(ready?["message"] == "Kubelet stopped posting node status.")
                for type in ["MemoryPressure", "DiskPressure", "PIDPressure"] {
                    let condition = silent["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
                    #expect(condition?["status"] == "Unknown")
                }
                #expect(try await client.get(.nodes, name: "alive").nodeReadyStatus == "True")
                #expect(try await client.get(.nodes, name: "alive")["spec"]?["taints"] == nil)

                // After the 2 s toleration the pods are deleted (they stay Terminating: no kubelet
                // confirms) and marked not ready; the ReplicaSet replaces them.
                try await eventually("the silent node's pods to be evicted") {
                    for name in original {
                        let pod = try await client.get(.pods, namespace: "apps", name: name)
                        if !pod.isBeingDeleted || pod["status"]?["conditions"]?.arrayValue?.contains(where: {
                            $0["type"] == "Ready" && $0["status"] == "False"
                        }) != true { return false }
                    }
                    return true
                }
                try await eventually("two replacement pods") {
                    try await client.listAll(.pods, namespace: "apps").items.filter { !$0.isBeingDeleted }.count == 2
                }
                let replacements = try await client.listAll(.pods, namespace: "apps").items.filter { !$0.isBeingDeleted }
                #expect(Set(replacements.map(\.name)).isDisjoint(with: original))
                // No scheduler runs here: bind the replacements to the live node as one would.
                for pod in replacements { try await Self.bind(client, pod: pod.name, namespace: "apps", node: "alive") }
                let placed = try await client.listAll(.pods, namespace: "apps").items.filter { !$0.isBeingDeleted }
                #expect(placed.allSatisfy { $0["spec"]?["nodeName"] == "alive" })
                try await Task.sleep(for: .seconds(1))
                #expect(try await client.listAll(.pods, namespace: "apps").items.filter { !$0.isBeingDeleted }.count == 2)

                // The kubelet comes back and reports Ready: the lifecycle taints go.
                silentRenews.store(true, ordering: .relaxed)
                var recovered = try await client.get(.nodes, name: "silent")
                let now = Self.microTime().replacingOccurrences(of: #"\.\d+"#, with: "", options: .regularExpression)
                recovered["status"] = ["conditions": [
                    ["type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status",
                     "lastHeartbeatTime": .string(now), "lastTransitionTime": .string(now)],
                ]]
                _ = try await client.update(.nodes, recovered, subresource: "status")
                try await eventually("the recovered node's taints to be removed") {
                    try await client.get(.nodes, name: "silent")["spec"]?["taints"] == nil
                }
            }
        }
    }
}

extension JSONValue {
    var nodeReadyStatus: String? {
        self["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Ready" }?["status"]?.stringValue
    }
}
