import APIModel
import ClusterClient
import ClusterTestSupport
import Controllers
import Foundation
import Synchronization
import Testing

/// StatefulSets against a real apiserver: ordered creation (each pod only once the previous
/// is Running and Ready), claims per ordinal that outlive their pods, reverse-ordered
/// deletion, and a rolling update from the highest ordinal down.
@Suite(.serialized) struct WorkloadStatefulSetTests {
    static func statefulSet(_ ns: String, replicas: Int, image: String = "registry.local/db:1") -> JSONValue {
        ["apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": "db", "namespace": .string(ns)],
         "spec": ["replicas": .int(Int64(replicas)), "serviceName": "db", "selector": ["matchLabels": ["app": "db"]],
                  "template": WorkloadFixtures.podTemplate(app: "db", image: image),
                  "volumeClaimTemplates": [["metadata": ["name": "data"],
                                            "spec": ["accessModes": ["ReadWriteOnce"], "resources": ["requests": ["storage": "1Gi"]]]]]]]
    }

    @Test func orderedCreationAndReverseOrderedDeletion() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            let ns = "sts-order"
            try await WorkloadFixtures.namespace(client, ns)
            let hollow = HollowNodes(client: client, namespace: ns, readyAfter: .milliseconds(400))
            let journal = PodJournal(client: client, namespace: ns)
            let watching = Task { try await journal.run() }
            defer { watching.cancel() }
            try await eventually("the journal watching") { journal.started ? true : nil }
            try await withWorkloadControllers(cluster, { [StatefulSetController(context: $0)] }) {
                try await withHollowNodes(hollow) {
                    _ = try await client.create(.statefulSets, Self.statefulSet(ns, replicas: 3))
                    try await eventually("3 ready replicas") { () -> Bool? in
                        let set = try await client.get(.statefulSets, namespace: ns, name: "db")
                        return set["status"]?["readyReplicas"]?.intValue == 3 ? true : nil
                    }
                    #expect(journal.added == ["db-0", "db-1", "db-2"])
                    // Each pod appeared only once its predecessor was ready.
                    #expect(journal.readyWhenAdded["db-1"] == ["db-0"])
                    #expect(journal.readyWhenAdded["db-2"] == ["db-0", "db-1"])

                    let pod = try await client.get(.pods, namespace: ns, name: "db-1")
                    #expect(pod["spec"]?["hostname"] == "db-1")
                    #expect(pod["spec"]?["subdomain"] == "db")
                    #expect(pod.labels["statefulset.kubernetes.io/pod-name"] == "db-1")
                    #expect(pod.labels["apps.kubernetes.io/pod-index"] == "1")
                    let set = try await client.get(.statefulSets, namespace: ns, name: "db")
                    let revision = try #require(set["status"]?["updateRevision"]?.stringValue)
                    #expect(pod.labels["controller-revision-hash"] == revision)
                    #expect(set["status"]?["currentRevision"]?.stringValue == revision)
                    let volume = pod["spec"]?["volumes"]?.arrayValue?.first { $0["name"] == "data" }
                    #expect(volume?["persistentVolumeClaim"]?["claimName"] == "data-db-1")
                    for ordinal in 0..<3 {
                        _ = try await client.get(.persistentVolumeClaims, namespace: ns, name: "data-db-\(ordinal)")
                    }

                    _ = try await client.patch(.statefulSets, namespace: ns, name: "db", type: .merge, ["spec": ["replicas": 0]])
                    try await eventually("every pod gone") { () -> Bool? in
                        try await WorkloadFixtures.pods(client, ns, app: "db").isEmpty ? true : nil
                    }
                    #expect(journal.deleted == ["db-2", "db-1", "db-0"])
                    // The claims stay (Retain).
                    for ordinal in 0..<3 {
                        _ = try await client.get(.persistentVolumeClaims, namespace: ns, name: "data-db-\(ordinal)")
                    }
                }
            }
        }
    }

    @Test func rollingUpdateGoesFromTheHighestOrdinalDownToThePartition() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            let ns = "sts-update"
            try await WorkloadFixtures.namespace(client, ns)
            let hollow = HollowNodes(client: client, namespace: ns, readyAfter: .milliseconds(200))
            let journal = PodJournal(client: client, namespace: ns)
            try await withWorkloadControllers(cluster, { [StatefulSetController(context: $0)] }) {
                try await withHollowNodes(hollow) {
                    _ = try await client.create(.statefulSets, Self.statefulSet(ns, replicas: 3))
                    try await eventually("3 ready replicas") { () -> Bool? in
                        let set = try await client.get(.statefulSets, namespace: ns, name: "db")
                        return set["status"]?["readyReplicas"]?.intValue == 3 ? true : nil
                    }
                    let watching = Task { try await journal.run() }
                    defer { watching.cancel() }
                    try await eventually("the journal watching") { journal.started ? true : nil }
                    _ = try await client.patch(.statefulSets, namespace: ns, name: "db", type: .merge, ["spec": [
                        "updateStrategy": ["type": "RollingUpdate", "rollingUpdate": ["partition": 1]],
                        "template": ["spec": ["containers": [["name": "main", "image": "registry.local/db:2"]]]]]])
                    try await eventually("ordinals 1 and 2 updated") { () -> Bool? in
                        let set = try await client.get(.statefulSets, namespace: ns, name: "db")
                        return set["status"]?["updatedReplicas"]?.intValue == 2 && set["status"]?["readyReplicas"]?.intValue == 3 ? true : nil
                    }
                    #expect(journal.deleted == ["db-2", "db-1"])
                    let images = try await (0..<3).asyncMap { ordinal in
                        try await client.get(.pods, namespace: ns, name: "db-\(ordinal)")["spec"]?["containers"]?[0]?["image"]?.stringValue
                    }
                    #expect(images == ["registry.local/db:1", "registry.local/db:2", "registry.local/db:2"])
                }
            }
        }
    }
}

/// Records, from a watch of a namespace's pods, the order pods were added and deleted in and
/// which pods were ready when each was added.
final class PodJournal: Sendable {
    struct State {
        var added: [String] = []
        var deleted: [String] = []
        var ready: Set<String> = []
        var readyWhenAdded: [String: [String]] = [:]
        var started = false
    }

    let client: ClusterClient
    let namespace: String
    private let state = Mutex(State())

    init(client: ClusterClient, namespace: String) {
        self.client = client
        self.namespace = namespace
    }

    var added: [String] { state.withLock { $0.added } }
    var deleted: [String] { state.withLock { $0.deleted } }
    var readyWhenAdded: [String: [String]] { state.withLock { $0.readyWhenAdded } }
    var started: Bool { state.withLock { $0.started } }

    func run() async throws {
        let list = try await client.listAll(.pods, namespace: namespace)
        state.withLock { state in
            for pod in list.items where ReadyPodWatcher.isReady(pod) { state.ready.insert(pod.name) }
            state.started = true
        }
        for try await event in client.watch(.pods, namespace: namespace, options: ListOptions(resourceVersion: list.resourceVersion)) {
            let pod = event.object
            state.withLock { state in
                switch event.type {
                case .added:
                    state.added.append(pod.name)
                    state.readyWhenAdded[pod.name] = state.ready.sorted()
                case .deleted:
                    state.deleted.append(pod.name)
                    state.ready.remove(pod.name)
                case .modified:
                    if ReadyPodWatcher.isReady(pod) { state.ready.insert(pod.name) } else { state.ready.remove(pod.name) }
                default:
                    break
                }
            }
        }
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
