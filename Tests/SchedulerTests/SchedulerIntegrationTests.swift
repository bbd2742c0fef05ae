import APIModel
import ClusterClient
import ClusterTestSupport
import Logging
import Testing
@testable import Scheduler

/// The scheduler against a real apiserver and store: Node objects (there is no kubelet, so
/// the test writes their status), pods created through the API, placements read back.
@Suite(.serialized) struct SchedulerIntegrationTests {
    static func node(_ name: String, cpu: String, memory: String, labels: [String: String], taints: [JSONValue] = []) -> JSONValue {
        var labelObject = JSONObject()
        labelObject["kubernetes.io/hostname"] = .string(name)
        for (key, value) in labels { labelObject[key] = .string(value) }
        let resources: JSONValue = ["cpu": .string(cpu), "memory": .string(memory), "pods": "110"]
        return ["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(name), "labels": .object(labelObject)],
                "spec": ["taints": .array(taints)],
                "status": ["capacity": resources, "allocatable": resources,
                           "conditions": [["type": "Ready", "status": "True", "reason": "KubeletReady"]]]]
    }

    static func pod(_ name: String, cpu: String, spec extra: [String: JSONValue] = [:]) -> JSONValue {
        var spec: JSONValue = ["containers": [["name": "app", "image": "registry.example/app:1",
                                               "resources": ["requests": ["cpu": .string(cpu), "memory": "64Mi"]]]]]
        for (key, value) in extra { spec[key] = value }
        return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "namespace": "default"], "spec": spec]
    }

    /// Creates the node and writes its status (in case create dropped it).
    static func createNode(_ client: ClusterClient, _ object: JSONValue) async throws {
        var created = try await client.create(.nodes, object)
        if created["status"]?["allocatable"] == nil {
            created["status"] = object["status"]
            _ = try await client.update(.nodes, created, subresource: "status")
        }
    }

    /// Polls until `condition` returns a value (60 s at most).
    static func eventually<T: Sendable>(_ what: String, _ condition: @Sendable () async throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let value = try await condition() { return value }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }

    static func nodeName(of pod: String, _ client: ClusterClient) async throws -> String {
        try await eventually("\(pod) to be bound") {
            let object = try await client.get(.pods, namespace: "default", name: pod)
            let node = object["spec"]?["nodeName"]?.stringValue ?? ""
            return node.isEmpty ? nil : node
        }
    }

    static func withScheduler<T: Sendable>(_ cluster: TestCluster, _ body: @Sendable (ClusterClient) async throws -> T) async throws -> T {
        let client = cluster.client
        let scheduler = PodScheduler(client: client, informers: InformerFactory(client: client),
                                     logger: Logger(label: "test.scheduler"))
        let task = Task { await scheduler.run() }
        defer { task.cancel() }
        let result = try await body(client)
        task.cancel()
        await task.value
        return result
    }

    @Test func placesPodsWhereKubernetesWould() async throws {
        try await withTestCluster { cluster in
            try await Self.withScheduler(cluster) { client in
                try await Self.createNode(client, Self.node("small", cpu: "2", memory: "4Gi", labels: ["zone": "a"]))
                try await Self.createNode(client, Self.node("large", cpu: "8", memory: "32Gi", labels: ["zone": "b", "disk": "ssd"]))
                try await Self.createNode(client, Self.node("infra", cpu: "16", memory: "64Gi", labels: ["zone": "c"],
                                                            taints: [["key": "node-role", "value": "infra", "effect": "NoSchedule"]]))

                // Only `large` has 6 free cpus that this pod may use (infra is tainted).
                _ = try await client.create(.pods, Self.pod("big", cpu: "6"))
                #expect(try await Self.nodeName(of: "big", client) == "large")

                // nodeSelector picks the ssd node.
                _ = try await client.create(.pods, Self.pod("ssd", cpu: "100m", spec: ["nodeSelector": ["disk": "ssd"]]))
                #expect(try await Self.nodeName(of: "ssd", client) == "large")

                // Tolerating the taint and requiring zone c: infra.
                let zoneC: JSONValue = ["matchExpressions": [["key": "zone", "operator": "In", "values": ["c"]]]]
                let affinity: JSONValue = ["nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": ["nodeSelectorTerms": [zoneC]]]]
                let toleration: JSONValue = ["key": "node-role", "operator": "Equal", "value": "infra", "effect": "NoSchedule"]
                _ = try await client.create(.pods, Self.pod("ops", cpu: "1", spec: ["tolerations": [toleration], "affinity": affinity]))
                #expect(try await Self.nodeName(of: "ops", client) == "infra")

                // 1.5 cpu: small (2 free) scores higher than large (1.9 left) by least allocation.
                _ = try await client.create(.pods, Self.pod("medium", cpu: "1500m"))
                #expect(try await Self.nodeName(of: "medium", client) == "small")

                // Fits nowhere: the condition and Kubernetes' message.
                _ = try await client.create(.pods, Self.pod("huge", cpu: "100"))
                let condition = try await Self.eventually("the PodScheduled condition of huge") { () -> JSONValue? in
                    let pod = try await client.get(.pods, namespace: "default", name: "huge")
                    return pod["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "PodScheduled" }
                }
                #expect(condition["status"]?.stringValue == "False")
                #expect(condition["reason"]?.stringValue == "Unschedulable")
                #expect(condition["message"]?.stringValue == "0/3 nodes are available: 1 node(s) had untolerated taint {node-role: infra}, "
                    + "2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, "
                    + "2 No preemption victims found for incoming pod.")
                let huge = try await client.get(.pods, namespace: "default", name: "huge")
                #expect(huge["spec"]?["nodeName"] == nil)
            }
        }
    }

    @Test func highPriorityPodPreemptsALowerOne() async throws {
        try await withTestCluster { cluster in
            try await Self.withScheduler(cluster) { client in
                _ = try await client.create(.priorityClasses, ["apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
                                                               "metadata": ["name": "urgent"], "value": 1000])
                try await Self.createNode(client, Self.node("only", cpu: "2", memory: "4Gi", labels: [:]))
                _ = try await client.create(.pods, Self.pod("victim", cpu: "1500m"))
                #expect(try await Self.nodeName(of: "victim", client) == "only")

                _ = try await client.create(.pods, Self.pod("urgent", cpu: "1", spec: ["priorityClassName": "urgent"]))
                let nominated = try await Self.eventually("urgent to be nominated") { () -> String? in
                    let pod = try await client.get(.pods, namespace: "default", name: "urgent")
                    return pod["status"]?["nominatedNodeName"]?.stringValue
                }
                #expect(nominated == "only")
                // The scheduler deleted the victim; with no kubelet to finish its graceful
                // deletion, the test does (as the kubelet would once the containers stopped).
                try await Self.eventually("the victim's deletion") { () -> Bool? in
                    do {
                        let victim = try await client.get(.pods, namespace: "default", name: "victim")
                        return victim.isBeingDeleted ? true : nil
                    } catch let error as ClientError where error.isNotFound {
                        return true
                    }
                }
                do {
                    try await client.delete(.pods, namespace: "default", name: "victim", options: DeleteOptions(gracePeriodSeconds: 0))
                } catch let error as ClientError where error.isNotFound {}
                #expect(try await Self.nodeName(of: "urgent", client) == "only")
            }
        }
    }
}
