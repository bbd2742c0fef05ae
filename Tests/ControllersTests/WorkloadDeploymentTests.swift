import APIModel
import ClusterClient
import ClusterTestSupport
import Controllers
import Foundation
import Synchronization
import Testing

/// Deployments against a real apiserver with the ReplicaSet and Deployment controllers
/// running and hollow nodes making pods ready: scaling, a rolling update watched for its
/// availability floor, rollback as `kubectl rollout undo` does it, and pause/resume.
@Suite(.serialized) struct WorkloadDeploymentTests {
    static func deployment(_ ns: String, replicas: Int, image: String, maxSurge: JSONValue = 1, maxUnavailable: JSONValue = 1) -> JSONValue {
        ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web", "namespace": .string(ns)],
         "spec": ["replicas": .int(Int64(replicas)), "selector": ["matchLabels": ["app": "web"]],
                  "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": maxSurge, "maxUnavailable": maxUnavailable]],
                  "template": WorkloadFixtures.podTemplate(app: "web", image: image)]]
    }

    /// What `kubectl rollout status` waits for.
    static func rolledOut(_ client: ClusterClient, _ ns: String, replicas: Int) async throws -> JSONValue? {
        let d = try await client.get(.deployments, namespace: ns, name: "web")
        let status = d["status"] ?? .emptyObject
        guard status["observedGeneration"]?.intValue ?? 0 >= d.generation,
              status["updatedReplicas"]?.intValue == Int64(replicas), status["replicas"]?.intValue == Int64(replicas),
              status["availableReplicas"]?.intValue == Int64(replicas) else { return nil }
        return d
    }

    static func ownedReplicaSets(_ client: ClusterClient, _ ns: String) async throws -> [JSONValue] {
        try await client.listAll(.replicaSets, namespace: ns).items.filter { $0.controllerReference?.kind == "Deployment" }
    }

    @Test func scalesAndRollsOutWithinMaxUnavailable() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            let ns = "deploy-roll"
            try await WorkloadFixtures.namespace(client, ns)
            let hollow = HollowNodes(client: client, namespace: ns, readyAfter: .milliseconds(500))
            try await withWorkloadControllers(cluster, { [ReplicaSetController(context: $0), DeploymentController(context: $0)] }) {
                try await withHollowNodes(hollow) {
                    _ = try await client.create(.deployments, Self.deployment(ns, replicas: 3, image: "registry.local/web:1"))
                    let first = try await eventually("the first rollout") { try await Self.rolledOut(client, ns, replicas: 3) }
                    #expect(first.annotations["deployment.kubernetes.io/revision"] == "1")
                    let available = first["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Available" }
                    #expect(available?["status"] == "True" && available?["reason"] == "MinimumReplicasAvailable")
                    let progressing = first["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Progressing" }
                    #expect(progressing?["reason"] == "NewReplicaSetAvailable")
                    let sets = try await Self.ownedReplicaSets(client, ns)
                    #expect(sets.count == 1)
                    let hash = try #require(sets.first?.labels["pod-template-hash"])
                    #expect(sets.first?.name == "web-\(hash)")
                    #expect(sets.first?["spec"]?["selector"]?["matchLabels"]?["pod-template-hash"]?.stringValue == hash)
                    #expect(sets.first?.annotations["deployment.kubernetes.io/desired-replicas"] == "3")
                    #expect(sets.first?.annotations["deployment.kubernetes.io/max-replicas"] == "4")

                    // Scale up and down.
                    _ = try await client.patch(.deployments, namespace: ns, name: "web", type: .merge, ["spec": ["replicas": 5]])
                    try await eventually("5 replicas") { try await Self.rolledOut(client, ns, replicas: 5) }
                    _ = try await client.patch(.deployments, namespace: ns, name: "web", type: .merge, ["spec": ["replicas": 3]])
                    try await eventually("3 replicas") { try await Self.rolledOut(client, ns, replicas: 3) }
                    #expect(try await WorkloadFixtures.pods(client, ns, app: "web").count == 3)

                    // Roll out a new image while watching how many pods are ready.
                    let watcher = ReadyPodWatcher(client: client, namespace: ns)
                    let watching = Task { try await watcher.run() }
                    defer { watching.cancel() }
                    try await eventually("the watch to see the ready pods") { watcher.readyCount == 3 ? true : nil }
                    _ = try await client.patch(.deployments, namespace: ns, name: "web", type: .merge,
                                               ["spec": ["template": ["spec": ["containers": [["name": "main", "image": "registry.local/web:2"]]]]]])
                    let second = try await eventually("the second rollout") { try await Self.rolledOut(client, ns, replicas: 3) }
                    #expect(second.annotations["deployment.kubernetes.io/revision"] == "2")
                    // replicas − maxUnavailable = 2 pods were ready at every moment.
                    #expect(watcher.minimumReady >= 2, "ready pods fell to \(watcher.minimumReady)")
                    let pods = try await WorkloadFixtures.pods(client, ns, app: "web")
                    #expect(pods.count == 3)
                    #expect(pods.allSatisfy { $0["spec"]?["containers"]?[0]?["image"] == "registry.local/web:2" })
                    let after = try await Self.ownedReplicaSets(client, ns)
                    #expect(after.count == 2)
                    #expect(after.first { $0.name == "web-\(hash)" }?["spec"]?["replicas"]?.intValue == 0)
                }
            }
        }
    }

    @Test func rollbackReusesThePreviousReplicaSet() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            let ns = "deploy-undo"
            try await WorkloadFixtures.namespace(client, ns)
            let hollow = HollowNodes(client: client, namespace: ns, readyAfter: .milliseconds(100))
            try await withWorkloadControllers(cluster, { [ReplicaSetController(context: $0), DeploymentController(context: $0)] }) {
                try await withHollowNodes(hollow) {
                    _ = try await client.create(.deployments, Self.deployment(ns, replicas: 2, image: "registry.local/web:1"))
                    try await eventually("revision 1") { try await Self.rolledOut(client, ns, replicas: 2) }
                    let original = try #require(try await Self.ownedReplicaSets(client, ns).first)
                    _ = try await client.patch(.deployments, namespace: ns, name: "web", type: .merge,
                                               ["spec": ["template": ["spec": ["containers": [["name": "main", "image": "registry.local/web:2"]]]]]])
                    try await eventually("revision 2") { () -> JSONValue? in
                        guard let d = try await Self.rolledOut(client, ns, replicas: 2),
                              d.annotations["deployment.kubernetes.io/revision"] == "2" else { return nil }
                        return d
                    }

                    // `kubectl rollout undo`: copy the previous revision's template (without its
                    // pod-template-hash label) back into the Deployment.
                    let previous = try #require(try await Self.ownedReplicaSets(client, ns).first {
                        $0.annotations["deployment.kubernetes.io/revision"] == "1"
                    })
                    var template = try #require(previous["spec"]?["template"])
                    template["metadata"]?["labels"]?["pod-template-hash"] = nil
                    _ = try await client.patch(.deployments, namespace: ns, name: "web", type: .json,
                                               [["op": "replace", "path": "/spec/template", "value": template]])

                    let undone = try await eventually("the rollback") { () -> JSONValue? in
                        guard let d = try await Self.rolledOut(client, ns, replicas: 2),
                              d.annotations["deployment.kubernetes.io/revision"] == "3" else { return nil }
                        return d
                    }
                    #expect(undone.annotations["deployment.kubernetes.io/revision"] == "3")
                    let sets = try await Self.ownedReplicaSets(client, ns)
                    #expect(sets.count == 2, "the old ReplicaSet is reused, not a third one made")
                    let reused = try #require(sets.first { $0.uid == original.uid })
                    #expect(reused.annotations["deployment.kubernetes.io/revision"] == "3")
                    #expect(reused["spec"]?["replicas"]?.intValue == 2)
                    let pods = try await WorkloadFixtures.pods(client, ns, app: "web")
                    #expect(pods.allSatisfy { $0["spec"]?["containers"]?[0]?["image"] == "registry.local/web:1" })
                }
            }
        }
    }

    @Test func pausedDeploymentScalesButDoesNotRollOut() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            let ns = "deploy-pause"
            try await WorkloadFixtures.namespace(client, ns)
            let hollow = HollowNodes(client: client, namespace: ns, readyAfter: .milliseconds(100))
            try await withWorkloadControllers(cluster, { [ReplicaSetController(context: $0), DeploymentController(context: $0)] }) {
                try await withHollowNodes(hollow) {
                    _ = try await client.create(.deployments, Self.deployment(ns, replicas: 2, image: "registry.local/web:1"))
                    try await eventually("the first rollout") { try await Self.rolledOut(client, ns, replicas: 2) }
                    _ = try await client.patch(.deployments, namespace: ns, name: "web", type: .merge, ["spec": ["paused": true]])
                    try await eventually("the paused condition") { () -> Bool? in
                        let d = try await client.get(.deployments, namespace: ns, name: "web")
                        let progressing = d["status"]?["conditions"]?.arrayValue?.first { $0["type"] == "Progressing" }
                        return progressing?["reason"] == "DeploymentPaused" ? true : nil
                    }
                    _ = try await client.patch(.deployments, namespace: ns, name: "web", type: .merge,
                                               ["spec": ["replicas": 4, "template": ["spec": ["containers": [["name": "main", "image": "registry.local/web:2"]]]]]])
                    try await eventually("4 pods of the old template") { () -> Bool? in
                        let pods = try await WorkloadFixtures.pods(client, ns, app: "web")
                        return pods.count == 4 ? true : nil
                    }
                    #expect(try await Self.ownedReplicaSets(client, ns).count == 1, "no rollout while paused")
                    _ = try await client.patch(.deployments, namespace: ns, name: "web", type: .merge, ["spec": ["paused": false]])
                    try await eventually("the rollout after resume") { () -> JSONValue? in
                        guard let d = try await Self.rolledOut(client, ns, replicas: 4),
                              d.annotations["deployment.kubernetes.io/revision"] == "2" else { return nil }
                        return d
                    }
                    let pods = try await WorkloadFixtures.pods(client, ns, app: "web")
                    #expect(pods.allSatisfy { $0["spec"]?["containers"]?[0]?["image"] == "registry.local/web:2" })
                }
            }
        }
    }
}

/// Counts the ready pods of a namespace from a watch, remembering the lowest count seen
/// after it first reached its starting value.
final class ReadyPodWatcher: Sendable {
    let client: ClusterClient
    let namespace: String
    private let state = Mutex<(ready: Set<String>, minimum: Int, started: Bool)>(([], Int.max, false))

    init(client: ClusterClient, namespace: String) {
        self.client = client
        self.namespace = namespace
    }

    var readyCount: Int { state.withLock { $0.ready.count } }
    var minimumReady: Int { state.withLock { $0.minimum } }

    func run() async throws {
        let list = try await client.listAll(.pods, namespace: namespace)
        state.withLock { state in
            for pod in list.items where Self.isReady(pod) { state.ready.insert(pod.uid) }
            state.minimum = state.ready.count
        }
        for try await event in client.watch(.pods, namespace: namespace, options: ListOptions(resourceVersion: list.resourceVersion)) {
            state.withLock { state in
                let pod = event.object
                if event.type == .deleted || !Self.isReady(pod) {
                    state.ready.remove(pod.uid)
                } else {
                    state.ready.insert(pod.uid)
                }
                state.minimum = min(state.minimum, state.ready.count)
            }
        }
    }

    static func isReady(_ pod: JSONValue) -> Bool {
        !pod.isBeingDeleted && pod["status"]?["conditions"]?.arrayValue?.contains { $0["type"] == "Ready" && $0["status"] == "True" } == true
    }
}
