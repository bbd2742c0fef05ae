import APIModel
import ClusterClient
import ClusterTestSupport
import Controllers
import Foundation
import Testing

/// The infrastructure controllers against a real store and apiserver.
@Suite(.serialized, .timeLimit(.minutes(3))) struct InfraControllerTests {
    @Test func defaultServiceAccountAppearsAndIsRecreated() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            try await withInfraControllers(cluster, controllers: ["serviceaccount"]) {
                _ = try await client.create(.namespaces, InfraFixtures.namespace("team-a"))
                try await eventually("the default ServiceAccount of team-a") {
                    try await !isGone(client, .serviceAccounts, namespace: "team-a", name: "default")
                }
                try await client.delete(.serviceAccounts, namespace: "team-a", name: "default")
                try await eventually("the default ServiceAccount to be recreated") {
                    try await !isGone(client, .serviceAccounts, namespace: "team-a", name: "default")
                }
                // Every namespace has one, the system ones included.
                try await eventually("kube-system's default ServiceAccount") {
                    try await !isGone(client, .serviceAccounts, namespace: "kube-system", name: "default")
                }
            }
        }
    }

    @Test func nodeIPAMAssignsDistinctCIDRsAndKeepsExistingOnes() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            // A node that already has the first block before the controller starts.
            _ = try await client.create(.nodes, ["apiVersion": "v1", "kind": "Node",
                                                 "metadata": ["name": "node-0"], "spec": ["podCIDR": "10.42.0.0/24", "podCIDRs": ["10.42.0.0/24"]]])
            try await withInfraControllers(cluster, controllers: ["nodeipam"]) {
                for index in 1...3 {
                    _ = try await client.create(.nodes, ["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string("node-\(index)")]])
                }
                try await eventually("pod CIDRs on every node") {
                    let nodes = try await client.listAll(.nodes).items
                    return nodes.count == 4 && nodes.allSatisfy { $0["spec"]?["podCIDR"]?.stringValue != nil }
                }
                let nodes = try await client.listAll(.nodes).items
                let cidrs = nodes.compactMap { $0["spec"]?["podCIDR"]?.stringValue }
                #expect(Set(cidrs).count == 4)
                #expect(Set(cidrs) == ["10.42.0.0/24", "10.42.1.0/24", "10.42.2.0/24", "10.42.3.0/24"])
                for node in nodes { #expect(node["spec"]?["podCIDRs"] == [node["spec"]?["podCIDR"] ?? .null]) }
                // A deleted node's block is handed out again.
                let freed = try #require(nodes.first { $0.name == "node-2" }?["spec"]?["podCIDR"]?.stringValue)
                try await client.delete(.nodes, name: "node-2")
                try await Task.sleep(for: .milliseconds(500))
                _ = try await client.create(.nodes, ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "node-4"]])
                try await eventually("node-4's pod CIDR") {
                    try await client.get(.nodes, name: "node-4")["spec"]?["podCIDR"]?.stringValue == freed
                }
            }
        }
    }

    @Test func endpointsAndSlicesFollowPodReadiness() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            try await withInfraControllers(cluster, controllers: ["endpoints", "endpointslice", "garbagecollector"]) {
                _ = try await client.create(.namespaces, InfraFixtures.namespace("web"))
                _ = try await client.create(.services, ["apiVersion": "v1", "kind": "Service",
                    "metadata": ["name": "web", "namespace": "web", "labels": ["tier": "front"]],
                    "spec": ["selector": ["app": "web"], "ports": [["name": "http", "port": 80, "targetPort": "http"]]]])
                for (index, name) in ["a", "b"].enumerated() {
                    _ = try await client.create(.pods, InfraFixtures.pod(name, namespace: "web"))
                    try await InfraFixtures.setPodStatus(client, namespace: "web", name: name, ip: "10.42.0.\(10 + index)", ready: name == "a")
                }
                _ = try await client.create(.pods, InfraFixtures.pod("other", namespace: "web", labels: ["app": "db"]))

                try await eventually("Endpoints with a ready and a not-ready address") {
                    let endpoints = try await client.get(.endpoints, namespace: "web", name: "web")
                    let subset = endpoints["subsets"]?[0]
                    return subset?["addresses"]?.arrayValue?.compactMap { $0["ip"]?.stringValue } == ["10.42.0.10"]
                        && subset?["notReadyAddresses"]?.arrayValue?.compactMap { $0["ip"]?.stringValue } == ["10.42.0.11"]
                }
                let endpoints = try await client.get(.endpoints, namespace: "web", name: "web")
                #expect(endpoints["subsets"]?[0]?["ports"] == [["name": "http", "port": 8080, "protocol": "TCP"]])
                #expect(endpoints.labels["endpoints.kubernetes.io/managed-by"] == "endpoint-controller")
                #expect(endpoints.labels["tier"] == "front")
                #expect(endpoints["subsets"]?[0]?["addresses"]?[0]?["targetRef"]?["name"] == "a")

                let selector = "kubernetes.io/service-name=web"
                try await eventually("one EndpointSlice with a ready and a not-ready endpoint") {
                    let slices = try await client.listAll(.endpointSlices, namespace: "web", options: ListOptions(labelSelector: selector)).items
                    guard slices.count == 1, let endpoints = slices[0]["endpoints"]?.arrayValue, endpoints.count == 2 else { return false }
                    let ready = endpoints.filter { $0["conditions"]?["ready"] == true }.compactMap { $0["addresses"]?[0]?.stringValue }
                    return ready == ["10.42.0.10"]
                }
                let slice = try #require(try await client.listAll(.endpointSlices, namespace: "web",
                                                                   options: ListOptions(labelSelector: selector)).items.first)
                #expect(slice["addressType"] == "IPv4")
                #expect(slice.labels["endpointslice.kubernetes.io/managed-by"] == "endpointslice-controller.k8s.io")
                #expect(slice.ownerReferences.first?.kind == "Service")
                #expect(slice["ports"] == [["name": "http", "port": 8080, "protocol": "TCP"]])

                // b turns ready: both addresses ready; the slice is rewritten in place.
                try await InfraFixtures.setPodStatus(client, namespace: "web", name: "b", ip: "10.42.0.11", ready: true)
                try await eventually("both pods ready in Endpoints and the slice") {
                    let endpoints = try await client.get(.endpoints, namespace: "web", name: "web")
                    let slices = try await client.listAll(.endpointSlices, namespace: "web", options: ListOptions(labelSelector: selector)).items
                    return endpoints["subsets"]?[0]?["addresses"]?.arrayValue?.count == 2
                        && endpoints["subsets"]?[0]?["notReadyAddresses"] == nil
                        && slices.count == 1 && slices[0].name == slice.name
                        && (slices[0]["endpoints"]?.arrayValue ?? []).allSatisfy { $0["conditions"]?["ready"] == true }
                }
                // a goes away: it leaves both.
                try await client.delete(.pods, namespace: "web", name: "a")
                try await eventually("pod a removed from Endpoints and the slice") {
                    let endpoints = try await client.get(.endpoints, namespace: "web", name: "web")
                    let slices = try await client.listAll(.endpointSlices, namespace: "web", options: ListOptions(labelSelector: selector)).items
                    return endpoints["subsets"]?[0]?["addresses"]?.arrayValue?.compactMap { $0["ip"]?.stringValue } == ["10.42.0.11"]
                        && slices.count == 1 && slices[0]["endpoints"]?.arrayValue?.count == 1
                }
                // The Service goes: its Endpoints and (through the garbage collector) its slices too.
                try await client.delete(.services, namespace: "web", name: "web")
                try await eventually("the Endpoints and slices of the deleted Service to go") {
                    let slices = try await client.listAll(.endpointSlices, namespace: "web", options: ListOptions(labelSelector: selector)).items
                    return try await isGone(client, .endpoints, namespace: "web", name: "web") && slices.isEmpty
                }
            }
        }
    }

    @Test func cascadingDeletionInBackgroundForegroundAndOrphanModes() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            try await withInfraControllers(cluster, controllers: ["garbagecollector"]) {
                _ = try await client.create(.namespaces, InfraFixtures.namespace("gc"))
                /// A ReplicaSet (no ReplicaSet controller runs here) owning `count` pods we create.
                @Sendable func owned(_ name: String, count: Int, finalizers: [String] = []) async throws -> (JSONValue, [String]) {
                    let rs = try await client.create(.replicaSets, InfraFixtures.replicaSet(name, namespace: "gc", replicas: 0,
                                                                                              labels: ["rs": .string(name)]))
                    var pods: [String] = []
                    for index in 0..<count {
                        let pod = InfraFixtures.pod("\(name)-\(index)", namespace: "gc", labels: ["rs": .string(name)],
                                                    owner: InfraFixtures.ownerReference(rs, kind: "ReplicaSet", apiVersion: "apps/v1"),
                                                    finalizers: index == 0 ? finalizers : [])
                        pods.append(try await client.create(.pods, pod).name)
                    }
                    return (rs, pods)
                }

                // Background: the owner goes at once, its pods after it.
                let (_, backgroundPods) = try await owned("background", count: 2)
                try await client.delete(.replicaSets, namespace: "gc", name: "background",
                                        options: DeleteOptions(propagationPolicy: .background))
                #expect(try await isGone(client, .replicaSets, namespace: "gc", name: "background"))
                try await eventually("the background owner's pods to be collected") {
                    for pod in backgroundPods where try await !isGone(client, .pods, namespace: "gc", name: pod) { return false }
                    return true
                }

                // Foreground: the owner waits (deletionTimestamp, foregroundDeletion) while a
                // blocking pod remains (held here by a finalizer of ours), then goes.
                let hold = "example.com/hold"
                let (_, foregroundPods) = try await owned("foreground", count: 2, finalizers: [hold])
                try await client.delete(.replicaSets, namespace: "gc", name: "foreground",
                                        options: DeleteOptions(propagationPolicy: .foreground))
                try await eventually("the free foreground pod to be deleted and the held one marked") {
                    let held = try await client.get(.pods, namespace: "gc", name: foregroundPods[0])
                    return try await isGone(client, .pods, namespace: "gc", name: foregroundPods[1]) && held.isBeingDeleted
                }
                let waiting = try await client.get(.replicaSets, namespace: "gc", name: "foreground")
                #expect(waiting.isBeingDeleted)
                #expect(waiting.finalizers.contains("foregroundDeletion"))
                var held = try await client.get(.pods, namespace: "gc", name: foregroundPods[0])
                held["metadata"]?["finalizers"] = nil
                _ = try await client.update(.pods, held)
                try await eventually("the foreground owner to go once its last dependent went") {
                    try await isGone(client, .replicaSets, namespace: "gc", name: "foreground")
                }
                #expect(try await isGone(client, .pods, namespace: "gc", name: foregroundPods[0]))

                // Orphan: the owner goes, the pods stay without the reference.
                let (_, orphanPods) = try await owned("orphan", count: 2)
                try await client.delete(.replicaSets, namespace: "gc", name: "orphan", options: DeleteOptions(propagationPolicy: .orphan))
                try await eventually("the orphaning owner to go") {
                    try await isGone(client, .replicaSets, namespace: "gc", name: "orphan")
                }
                for pod in orphanPods {
                    let remaining = try await client.get(.pods, namespace: "gc", name: pod)
                    #expect(remaining.ownerReferences.isEmpty)
                    #expect(!remaining.isBeingDeleted)
                }
                // A dependent created pointing at an owner that never existed (by uid) is collected.
                let stray = InfraFixtures.pod("stray", namespace: "gc", owner: [
                    "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "ghost", "uid": "00000000-0000-0000-0000-000000000000",
                ])
                _ = try await client.create(.pods, stray)
                try await eventually("the pod of a missing owner to be collected") {
                    try await isGone(client, .pods, namespace: "gc", name: "stray")
                }
            }
        }
    }

    @Test func namespaceDeletionRemovesContentThenTheNamespace() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            try await withInfraControllers(cluster, controllers: ["namespace", "serviceaccount"]) {
                _ = try await client.create(.namespaces, InfraFixtures.namespace("doomed"))
                _ = try await client.create(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap",
                                                          "metadata": ["name": "settings", "namespace": "doomed"], "data": ["k": "v"]])
                _ = try await client.create(.configMaps, ["apiVersion": "v1", "kind": "ConfigMap",
                                                          "metadata": ["name": "held", "namespace": "doomed", "finalizers": ["example.com/hold"]]])
                _ = try await client.create(.secrets, ["apiVersion": "v1", "kind": "Secret",
                                                       "metadata": ["name": "token", "namespace": "doomed"], "stringData": ["a": "b"]])
                _ = try await client.create(.pods, InfraFixtures.pod("worker", namespace: "doomed"))
                _ = try await client.create(.replicaSets, InfraFixtures.replicaSet("rs", namespace: "doomed", replicas: 0))
                try await client.delete(.namespaces, name: "doomed")

                try await eventually("the content to be deleted and the held ConfigMap reported") {
                    let namespace = try await client.get(.namespaces, name: "doomed")
                    let conditions = namespace["status"]?["conditions"]?.arrayValue ?? []
                    let finalizers = conditions.first { $0["type"] == "NamespaceFinalizersRemaining" }
                    let podGone = try await isGone(client, .pods, namespace: "doomed", name: "worker")
                    let secretGone = try await isGone(client, .secrets, namespace: "doomed", name: "token")
                    let configMapGone = try await isGone(client, .configMaps, namespace: "doomed", name: "settings")
                    let replicaSetGone = try await isGone(client, .replicaSets, namespace: "doomed", name: "rs")
                    return podGone && secretGone && configMapGone && replicaSetGone && finalizers?["status"] == "True"
                }
                let terminating = try await client.get(.namespaces, name: "doomed")
                #expect(terminating["status"]?["phase"] == "Terminating")
                let remaining = (terminating["status"]?["conditions"]?.arrayValue ?? []).first { $0["type"] == "NamespaceContentRemaining" }
                #expect(remaining?["status"] == "True")
                #expect(remaining?["message"]?.stringValue?.contains("configmaps") == true)

                var held = try await client.get(.configMaps, namespace: "doomed", name: "held")
                held["metadata"]?["finalizers"] = nil
                _ = try await client.update(.configMaps, held)
                try await eventually("the namespace to be deleted") {
                    try await isGone(client, .namespaces, name: "doomed")
                }
            }
        }
    }

    @Test func disruptionBudgetStatusAndARefusedEviction() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            try await withInfraControllers(cluster, controllers: ["disruption"]) {
                _ = try await client.create(.namespaces, InfraFixtures.namespace("pdb"))
                for (index, name) in ["p0", "p1", "p2"].enumerated() {
                    _ = try await client.create(.pods, InfraFixtures.pod(name, namespace: "pdb"))
                    try await InfraFixtures.setPodStatus(client, namespace: "pdb", name: name, ip: "10.42.1.\(index + 2)", ready: true)
                }
                _ = try await client.create(.podDisruptionBudgets, ["apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                    "metadata": ["name": "web-pdb", "namespace": "pdb"],
                    "spec": ["minAvailable": 2, "selector": ["matchLabels": ["app": "web"]]]])

                try await eventually("the budget's status") {
                    let status = try await client.get(.podDisruptionBudgets, namespace: "pdb", name: "web-pdb")["status"]
                    return status?["disruptionsAllowed"] == 1 && status?["currentHealthy"] == 3
                }
                let status = try await client.get(.podDisruptionBudgets, namespace: "pdb", name: "web-pdb")["status"]
                #expect(status?["expectedPods"] == 3)
                #expect(status?["desiredHealthy"] == 2)
                #expect(status?["observedGeneration"] == 1)
                let condition = status?["conditions"]?.arrayValue?.first { $0["type"] == "DisruptionAllowed" }
                #expect(condition?["status"] == "True")
                #expect(condition?["reason"] == "SufficientPods")

                let eviction: JSONValue = ["apiVersion": "policy/v1", "kind": "Eviction", "metadata": ["name": "p0", "namespace": "pdb"]]
                _ = try await client.create(.pods, namespace: "pdb", eviction, name: "p0", subresource: "eviction")
                #expect(try await isGone(client, .pods, namespace: "pdb", name: "p0"))
                try await eventually("the budget to allow no more disruptions") {
                    let status = try await client.get(.podDisruptionBudgets, namespace: "pdb", name: "web-pdb")["status"]
                    let condition = status?["conditions"]?.arrayValue?.first { $0["type"] == "DisruptionAllowed" }
                    return status?["disruptionsAllowed"] == 0 && status?["currentHealthy"] == 2 && condition?["reason"] == "InsufficientPods"
                }

                var refusal: ClientError?
                do {
                    var second = eviction
                    second["metadata"]?["name"] = "p1"
                    _ = try await client.create(.pods, namespace: "pdb", second, name: "p1", subresource: "eviction")
                } catch let error as ClientError {
                    refusal = error
                }
                let error = try #require(refusal)
                #expect(error.isTooManyRequests)
                guard case .status(_, _, let message, let body) = error else { Issue.record("not a status: \(error)"); return }
                #expect(message == "Cannot evict pod as it would violate the pod's disruption budget.")
                let cause = body?["details"]?["causes"]?[0]
                #expect(cause?["reason"] == "DisruptionBudget")
                #expect(cause?["message"]?.stringValue?.contains("web-pdb") == true)
                #expect(try await !isGone(client, .pods, namespace: "pdb", name: "p1"))
            }
        }
    }

    @Test func podsGetTheDefaultNodeLifecycleTolerations() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            _ = try await client.create(.namespaces, InfraFixtures.namespace("tol"))
            let pod = try await client.create(.pods, InfraFixtures.pod("p", namespace: "tol"))
            let tolerations = pod["spec"]?["tolerations"]?.arrayValue ?? []
            for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
                let toleration = tolerations.first { $0["key"]?.stringValue == key }
                #expect(toleration?["operator"] == "Exists")
                #expect(toleration?["effect"] == "NoExecute")
                #expect(toleration?["tolerationSeconds"] == 300)
            }
            // A pod that already tolerates unreachable keeps its own toleration.
            var custom = InfraFixtures.pod("q", namespace: "tol")
            custom["spec"]?["tolerations"] = [["key": "node.kubernetes.io/unreachable", "operator": "Exists",
                                               "effect": "NoExecute", "tolerationSeconds": 5]]
            let created = try await client.create(.pods, custom)
            let unreachable = (created["spec"]?["tolerations"]?.arrayValue ?? []).filter { $0["key"] == "node.kubernetes.io/unreachable" }
            #expect(unreachable.count == 1)
            #expect(unreachable.first?["tolerationSeconds"] == 5)
        }
    }
}
