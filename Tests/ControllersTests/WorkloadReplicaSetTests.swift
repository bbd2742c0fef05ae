import APIModel
import ClusterClient
import ClusterTestSupport
import Controllers
import Foundation
import Testing

/// ReplicaSets and ReplicationControllers against a real apiserver: pods are created and
/// removed to match `replicas`, owned by their set, and counted in the status.
@Suite(.serialized) struct WorkloadReplicaSetTests {
    @Test func replicaSetScalesUpAndDown() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            let ns = "rs-scale"
            try await WorkloadFixtures.namespace(client, ns)
            let hollow = HollowNodes(client: client, namespace: ns)
            try await withWorkloadControllers(cluster, { [ReplicaSetController(context: $0)] }) {
                try await withHollowNodes(hollow) {
                    var rs: JSONValue = ["apiVersion": "apps/v1", "kind": "ReplicaSet",
                                         "metadata": ["name": "web", "namespace": .string(ns)],
                                         "spec": ["replicas": 3, "selector": ["matchLabels": ["app": "web"]],
                                                  "template": WorkloadFixtures.podTemplate(app: "web")]]
                    rs = try await client.create(.replicaSets, rs)
                    let uid = rs.uid
                    try await eventually("3 ready replicas") {
                        let current = try await client.get(.replicaSets, namespace: ns, name: "web")
                        return current["status"]?["readyReplicas"]?.intValue == 3
                            && current["status"]?["availableReplicas"]?.intValue == 3
                            && current["status"]?["observedGeneration"]?.intValue == current.generation ? true : nil
                    }
                    let pods = try await WorkloadFixtures.pods(client, ns, app: "web")
                    #expect(pods.count == 3)
                    for pod in pods {
                        #expect(pod.controllerReference?.uid == uid)
                        #expect(pod.controllerReference?.blockOwnerDeletion == true)
                        #expect(pod.name.hasPrefix("web-"))
                    }

                    try await scale(client, ns, "web", to: 5)
                    try await eventually("5 ready replicas") {
                        let current = try await client.get(.replicaSets, namespace: ns, name: "web")
                        return current["status"]?["readyReplicas"]?.intValue == 5 ? true : nil
                    }
                    #expect(try await WorkloadFixtures.pods(client, ns, app: "web").count == 5)

                    try await scale(client, ns, "web", to: 1)
                    try await eventually("1 replica left") {
                        let current = try await client.get(.replicaSets, namespace: ns, name: "web")
                        let pods = try await WorkloadFixtures.pods(client, ns, app: "web")
                        return current["status"]?["replicas"]?.intValue == 1 && pods.count == 1 ? true : nil
                    }
                    // Nothing more is created once the count is right (expectations hold).
                    try await Task.sleep(for: .seconds(1))
                    #expect(try await WorkloadFixtures.pods(client, ns, app: "web").count == 1)
                }
            }
        }
    }

    @Test func replicaSetAdoptsOrphansAndReleasesMismatches() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            let ns = "rs-adopt"
            try await WorkloadFixtures.namespace(client, ns)
            try await withWorkloadControllers(cluster, { [ReplicaSetController(context: $0)] }) {
                var orphan: JSONValue = ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "orphan", "namespace": .string(ns)]]
                orphan["metadata"]?["labels"] = ["app": "db"]
                orphan["spec"] = WorkloadFixtures.podTemplate(app: "db")["spec"]
                _ = try await client.create(.pods, orphan)
                let rs = try await client.create(.replicaSets, [
                    "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": ["name": "db", "namespace": .string(ns)],
                    "spec": ["replicas": 2, "selector": ["matchLabels": ["app": "db"]], "template": WorkloadFixtures.podTemplate(app: "db")]])
                try await eventually("the orphan adopted and one pod added") {
                    let pods = try await WorkloadFixtures.pods(client, ns, app: "db")
                    let adopted = try await client.get(.pods, namespace: ns, name: "orphan")
                    return pods.count == 2 && adopted.controllerReference?.uid == rs.uid ? true : nil
                }
                // Relabel the orphan: it is released and replaced.
                _ = try await client.patch(.pods, namespace: ns, name: "orphan", type: .merge, ["metadata": ["labels": ["app": "other"]]])
                try await eventually("the relabelled pod released and replaced") {
                    let released = try await client.get(.pods, namespace: ns, name: "orphan")
                    let pods = try await WorkloadFixtures.pods(client, ns, app: "db")
                    return released.controllerReference == nil && pods.count == 2 ? true : nil
                }
            }
        }
    }

    @Test func replicationControllerKeepsItsReplicas() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            let ns = "rc"
            try await WorkloadFixtures.namespace(client, ns)
            let hollow = HollowNodes(client: client, namespace: ns)
            try await withWorkloadControllers(cluster, { [ReplicationControllerController(context: $0)] }) {
                try await withHollowNodes(hollow) {
                    _ = try await client.create(.replicationControllers, [
                        "apiVersion": "v1", "kind": "ReplicationController", "metadata": ["name": "legacy", "namespace": .string(ns)],
                        "spec": ["replicas": 2, "selector": ["app": "legacy"], "template": WorkloadFixtures.podTemplate(app: "legacy")]])
                    try await eventually("2 ready replicas") {
                        let rc = try await client.get(.replicationControllers, namespace: ns, name: "legacy")
                        return rc["status"]?["readyReplicas"]?.intValue == 2 ? true : nil
                    }
                    // A deleted pod is replaced.
                    let victim = try #require(try await WorkloadFixtures.pods(client, ns, app: "legacy").first)
                    try await client.delete(.pods, namespace: ns, name: victim.name)
                    try await eventually("the deleted pod replaced") {
                        let pods = try await WorkloadFixtures.pods(client, ns, app: "legacy")
                        return pods.count == 2 && !pods.contains { $0.uid == victim.uid } ? true : nil
                    }
                }
            }
        }
    }

    func scale(_ client: ClusterClient, _ ns: String, _ name: String, to replicas: Int) async throws {
        _ = try await client.patch(.replicaSets, namespace: ns, name: name, type: .merge, ["spec": ["replicas": .int(Int64(replicas))]])
    }
}
