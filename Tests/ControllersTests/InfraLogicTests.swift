import APIModel
import ClusterClient
import Foundation
import Testing
@testable import Controllers

/// Fast tests of the infrastructure controllers' decisions, beside the tests that run them
/// against a real apiserver.
@Suite struct InfraCIDRAllocatorTests {
    @Test func handsOutConsecutiveBlocksFromTheClusterCIDR() throws {
        var allocator = try CIDRAllocator(clusterCIDR: "10.42.0.0/16", nodeMaskSize: 24)
        #expect(allocator.capacity == 256)
        do { let result = allocator.allocate(); #expect(result == "10.42.0.0/24") }
        do { let result = allocator.allocate(); #expect(result == "10.42.1.0/24") }
        allocator.release("10.42.0.0/24")
        do { let result = allocator.allocate(); #expect(result == "10.42.0.0/24") }
    }

    @Test func rebuildsFromExistingNodesAndSkipsTheirBlocks() throws {
        var allocator = try CIDRAllocator(clusterCIDR: "10.42.0.0/16", nodeMaskSize: 24)
        do { let result = allocator.occupy("10.42.0.0/24"); #expect(result) }
        do { let result = allocator.occupy("10.42.2.0/24"); #expect(result) }
        do { let result = allocator.occupy("10.99.0.0/24"); #expect(!result) }
        do { let result = allocator.occupy("10.42.3.0/25"); #expect(!result) }
        do { let result = allocator.allocate(); #expect(result == "10.42.1.0/24") }
        do { let result = allocator.allocate(); #expect(result == "10.42.3.0/24") }
    }

    @Test func reportsExhaustion() throws {
        #expect(throws: (any Error).self) { _ = try CIDRAllocator(clusterCIDR: "10.0.0.0/30", nodeMaskSize: 31) }
        var allocator = try CIDRAllocator(clusterCIDR: "192.168.0.0/23", nodeMaskSize: 24)
        do { let result = allocator.allocate(); #expect(result == "192.168.0.0/24") }
        do { let result = allocator.allocate(); #expect(result == "192.168.1.0/24") }
        do { let result = allocator.allocate(); #expect(result == nil) }
    }

    @Test func rejectsBadConfiguration() {
        #expect(throws: (any Error).self) { _ = try CIDRAllocator(clusterCIDR: "10.42.0.0", nodeMaskSize: 24) }
        #expect(throws: (any Error).self) { _ = try CIDRAllocator(clusterCIDR: "10.42.0.0/24", nodeMaskSize: 16) }
        #expect(throws: (any Error).self) { _ = try CIDRAllocator(clusterCIDR: "300.1.0.0/16", nodeMaskSize: 24) }
    }
}

@Suite struct InfraTaintTests {
    let unreachable = Taint(key: Taint.unreachableKey, effect: Taint.noExecute, timeAdded: "2024-01-01T00:00:00Z")

    @Test func tolerationMatching() {
        #expect(Toleration(key: "", operator: "Exists").tolerates(unreachable))
        #expect(Toleration(key: Taint.unreachableKey, operator: "Exists", effect: "NoExecute").tolerates(unreachable))
        #expect(!Toleration(key: Taint.unreachableKey, operator: "Exists", effect: "NoSchedule").tolerates(unreachable))
        #expect(!Toleration(key: Taint.notReadyKey, operator: "Exists").tolerates(unreachable))
        let valued = Taint(key: "dedicated", value: "gpu", effect: Taint.noExecute)
        #expect(Toleration(key: "dedicated", value: "gpu").tolerates(valued))
        #expect(!Toleration(key: "dedicated", value: "cpu").tolerates(valued))
    }

    @Test func evictionTiming() {
        #expect(NoExecuteEviction.decide(taints: [unreachable], tolerations: []) == .now)
        #expect(NoExecuteEviction.decide(taints: [], tolerations: []) == .never)
        let bounded = Toleration(key: Taint.unreachableKey, operator: "Exists", effect: "NoExecute", tolerationSeconds: 300)
        let shorter = Toleration(key: "", operator: "Exists", tolerationSeconds: 20)
        #expect(NoExecuteEviction.decide(taints: [unreachable], tolerations: [bounded]) == .after(seconds: 300))
        #expect(NoExecuteEviction.decide(taints: [unreachable], tolerations: [bounded, shorter]) == .after(seconds: 20))
        #expect(NoExecuteEviction.decide(taints: [unreachable], tolerations: [Toleration(key: "", operator: "Exists")]) == .never)
        let noSchedule = Taint(key: Taint.unreachableKey, effect: Taint.noSchedule)
        #expect(NoExecuteEviction.decide(taints: [noSchedule], tolerations: []) == .never)
    }

    @Test func lifecycleTaintsFollowTheReadyCondition() {
        #expect(NodeHealth.desiredTaints(readyStatus: "True").isEmpty)
        #expect(NodeHealth.desiredTaints(readyStatus: "Unknown").map(\.key) == [Taint.unreachableKey, Taint.unreachableKey])
        #expect(NodeHealth.desiredTaints(readyStatus: "False").map(\.effect) == [Taint.noExecute, Taint.noSchedule])
        let user = Taint(key: "dedicated", value: "x", effect: Taint.noSchedule)
        let added = NodeHealth.reconciledTaints(current: [user], desired: NodeHealth.desiredTaints(readyStatus: "Unknown"), now: "T")
        #expect(added?.count == 3)
        #expect(added?.first { $0.effect == Taint.noExecute }?.timeAdded == "T")
        #expect(NodeHealth.reconciledTaints(current: added ?? [], desired: NodeHealth.desiredTaints(readyStatus: "Unknown"), now: "U") == nil)
        #expect(NodeHealth.reconciledTaints(current: added ?? [], desired: [], now: "U") == [user])
    }

    @Test func staleNodesAreMarkedUnknown() throws {
        let now = Date()
        let old = ControllerTime.format(now.addingTimeInterval(-60))
        let fresh = ControllerTime.format(now.addingTimeInterval(-1))
        let node: JSONValue = [
            "metadata": ["name": "n1", "creationTimestamp": .string(old)],
            "status": ["conditions": [["type": "Ready", "status": "True", "lastHeartbeatTime": .string(old)]]],
        ]
        let renewed: JSONValue = ["spec": ["renewTime": .string(fresh)]]
        #expect(NodeHealth.isStale(node: node, lease: nil, now: now, gracePeriod: .seconds(40)))
        #expect(!NodeHealth.isStale(node: node, lease: renewed, now: now, gracePeriod: .seconds(40)))
        let marked = try #require(NodeHealth.markedUnknown(node, now: "T"))
        for type in NodeHealth.monitoredConditions { #expect(marked.conditionStatus(type) == "Unknown") }
        let ready = marked["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Ready" }
        #expect(ready?["reason"]?.stringValue == "NodeStatusUnknown")
        #expect(ready?["message"]?.stringValue == "Kubelet stopped posting node status.")
        #expect(NodeHealth.markedUnknown(marked, now: "U") == nil)
    }
}

@Suite struct InfraDisruptionBudgetTests {
    @Test func parsesCountsAndPercentages() {
        #expect(BudgetAmount(.int(2)) == .count(2))
        #expect(BudgetAmount(.string("50%")) == .percent(50))
        #expect(BudgetAmount(.string("3")) == .count(3))
        #expect(BudgetAmount(.string("x%")) == nil)
        #expect(BudgetAmount(nil) == nil)
    }

    @Test func desiredHealthyAndAllowed() {
        let m = DisruptionBudgetMath.self
        #expect(m.desiredHealthy(minAvailable: .count(2), maxUnavailable: nil, expectedPods: 3) == 2)
        #expect(m.desiredHealthy(minAvailable: .percent(50), maxUnavailable: nil, expectedPods: 3) == 2)  // rounds up
        #expect(m.desiredHealthy(minAvailable: nil, maxUnavailable: .count(1), expectedPods: 3) == 2)
        #expect(m.desiredHealthy(minAvailable: nil, maxUnavailable: .percent(50), expectedPods: 3) == 1)  // 2 may go
        #expect(m.desiredHealthy(minAvailable: nil, maxUnavailable: .count(5), expectedPods: 3) == 0)
        #expect(m.disruptionsAllowed(currentHealthy: 3, desiredHealthy: 2, expectedPods: 3) == 1)
        #expect(m.disruptionsAllowed(currentHealthy: 1, desiredHealthy: 2, expectedPods: 3) == 0)
        #expect(m.needsControllerScale(minAvailable: .count(1), maxUnavailable: nil) == false)
        #expect(m.needsControllerScale(minAvailable: .percent(10), maxUnavailable: nil))
        #expect(m.needsControllerScale(minAvailable: nil, maxUnavailable: .count(1)))
    }
}

@Suite struct InfraEndpointsComputationTests {
    static func pod(_ name: String, ip: String?, ready: Bool, labels: JSONValue = ["app": "web"], deleting: Bool = false,
                    hostname: String? = nil, subdomain: String? = nil) -> JSONValue {
        var pod: JSONValue = [
            "metadata": ["name": .string(name), "namespace": "ns", "uid": .string("uid-\(name)"), "labels": labels],
            "spec": ["nodeName": "node-a", "containers": [["name": "c", "ports": [["name": "http", "containerPort": 8080]]]]],
            "status": ["phase": "Running", "conditions": [["type": "Ready", "status": .string(ready ? "True" : "False")]]],
        ]
        if let ip { pod["status"]?["podIP"] = .string(ip) }
        if deleting { pod["metadata"]?["deletionTimestamp"] = "2024-01-01T00:00:00Z" }
        if let hostname { pod["spec"]?["hostname"] = .string(hostname) }
        if let subdomain { pod["spec"]?["subdomain"] = .string(subdomain) }
        return pod
    }

    static let service: JSONValue = [
        "metadata": ["name": "web", "namespace": "ns"],
        "spec": ["selector": ["app": "web"], "ports": [["name": "http", "port": 80, "targetPort": "http", "protocol": "TCP"]]],
    ]

    @Test func readyAndNotReadyAddressesWithNamedPorts() throws {
        let pods = [Self.pod("a", ip: "10.42.0.2", ready: true), Self.pod("b", ip: "10.42.0.3", ready: false),
                    Self.pod("c", ip: "10.42.0.4", ready: true, deleting: true), Self.pod("d", ip: nil, ready: true),
                    Self.pod("e", ip: "10.42.0.5", ready: true, hostname: "e", subdomain: "web")]
        let selected = try #require(ServiceBackends.selectedPods(service: Self.service, pods: pods))
        let subsets = EndpointsComputation.subsets(service: Self.service, pods: selected)
        #expect(subsets.count == 1)
        let subset = try #require(subsets.first)
        #expect(subset["addresses"]?.arrayValue?.compactMap { $0["ip"]?.stringValue } == ["10.42.0.2", "10.42.0.5"])
        #expect(subset["notReadyAddresses"]?.arrayValue?.compactMap { $0["ip"]?.stringValue } == ["10.42.0.3"])
        #expect(subset["ports"] == [["name": "http", "port": 8080, "protocol": "TCP"]])
        let first = subset["addresses"]?[0]
        #expect(first?["nodeName"]?.stringValue == "node-a")
        #expect(first?["targetRef"]?["kind"]?.stringValue == "Pod")
        #expect(first?["targetRef"]?["uid"]?.stringValue == "uid-a")
        #expect(subset["addresses"]?[1]?["hostname"]?.stringValue == "e")
    }

    @Test func publishNotReadyPutsEveryPodUnderAddresses() {
        var service = Self.service
        service["spec"]?["publishNotReadyAddresses"] = true
        let subsets = EndpointsComputation.subsets(service: service, pods: [Self.pod("b", ip: "10.42.0.3", ready: false)])
        #expect(subsets.first?["addresses"]?.arrayValue?.count == 1)
        #expect(subsets.first?["notReadyAddresses"] == nil)
    }

    @Test func servicesWithoutSelectorAreNotManaged() {
        var service = Self.service
        service["spec"]?["selector"] = nil
        #expect(ServiceBackends.selectedPods(service: service, pods: [Self.pod("a", ip: "10.42.0.2", ready: true)]) == nil)
    }

    @Test func unknownPortNamesLeaveThePodOut() {
        var service = Self.service
        service["spec"]?["ports"] = [["port": 80, "targetPort": "metrics"]]
        #expect(EndpointsComputation.subsets(service: service, pods: [Self.pod("a", ip: "10.42.0.2", ready: true)]).isEmpty)
        service["spec"]?["ports"] = [["port": 80, "targetPort": 9000]]
        let subsets = EndpointsComputation.subsets(service: service, pods: [Self.pod("a", ip: "10.42.0.2", ready: true)])
        #expect(subsets.first?["ports"]?[0]?["port"] == .int(9000))
    }

    @Test func sliceConditionsAndZones() throws {
        let pods = [Self.pod("a", ip: "10.42.0.2", ready: true), Self.pod("b", ip: "10.42.0.3", ready: false),
                    Self.pod("c", ip: "10.42.0.4", ready: true, deleting: true)]
        let nodes: [String: JSONValue] = ["node-a": ["metadata": ["name": "node-a", "labels": ["topology.kubernetes.io/zone": "z1"]]]]
        let desired = EndpointSliceComputation.desiredEndpoints(service: Self.service, pods: pods, nodes: nodes)
        #expect(desired.map(\.id) == ["ns/a", "ns/b", "ns/c"])
        #expect(desired[0].endpoint["conditions"] == ["ready": true, "serving": true, "terminating": false])
        #expect(desired[1].endpoint["conditions"] == ["ready": false, "serving": false, "terminating": false])
        #expect(desired[2].endpoint["conditions"] == ["ready": false, "serving": true, "terminating": true])
        #expect(desired[0].endpoint["zone"]?.stringValue == "z1")
    }

    @Test func slicePlanUpdatesInPlaceAndSplitsAtAHundred() {
        let ports: [JSONValue] = [["name": "http", "port": 8080, "protocol": "TCP"]]
        func endpoint(_ i: Int, ready: Bool = true) -> EndpointSliceComputation.DesiredEndpoint {
            .init(id: "ns/p\(i)", endpoint: ["addresses": [.string("10.0.0.\(i)")], "conditions": ["ready": .bool(ready)],
                                              "targetRef": ["kind": "Pod", "namespace": "ns", "name": .string("p\(i)")]],
                  ports: ports)
        }
        // Nothing yet: 150 endpoints become two new slices.
        let fresh = EndpointSliceComputation.plan(existing: [], desired: (0..<150).map { endpoint($0) })
        #expect(fresh.creates.map(\.endpoints.count) == [100, 50])
        // An existing slice with p0, p1: p1 turns unready, p2 is new, p0 leaves → one update, no create.
        let existing: JSONValue = ["metadata": ["name": "web-abc"], "ports": .array(ports),
                                   "endpoints": [endpoint(0).endpoint, endpoint(1).endpoint]]
        let plan = EndpointSliceComputation.plan(existing: [existing], desired: [endpoint(1, ready: false), endpoint(2)])
        #expect(plan.creates.isEmpty && plan.deletes.isEmpty)
        #expect(plan.updates.count == 1)
        #expect(plan.updates.first?["endpoints"]?.arrayValue?.count == 2)
        #expect(plan.updates.first?.name == "web-abc")
        // Unchanged: nothing to write.
        let same = EndpointSliceComputation.plan(existing: [existing], desired: [endpoint(0), endpoint(1)])
        #expect(same.updates.isEmpty && same.creates.isEmpty && same.deletes.isEmpty)
        // No endpoints left: one empty slice is kept.
        let empty = EndpointSliceComputation.plan(existing: [existing], desired: [])
        #expect(empty.deletes.isEmpty && empty.updates.count == 1 && empty.updates.first?["endpoints"] == [])
    }
}

@Suite struct InfraGarbageCollectionDecisionTests {
    static func dependent(owners: [(String, Bool)], finalizers: [String] = []) -> JSONValue {
        var object: JSONValue = ["metadata": ["name": "d", "namespace": "ns", "uid": "d-uid",
                                              "ownerReferences": .array(owners.map { uid, block in
                                                  ["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": .string("rs-\(uid)"),
                                                   "uid": .string(uid), "blockOwnerDeletion": .bool(block)]
                                              })]]
        if !finalizers.isEmpty { object["metadata"]?["finalizers"] = .array(finalizers.map { .string($0) }) }
        return object
    }

    @Test func deletesWhenEveryOwnerIsGone() {
        let d = Self.dependent(owners: [("a", false), ("b", false)])
        #expect(DependentDecision.decide(dependent: d, owners: ["a": .absent, "b": .absent]) == .delete(.background))
        let orphaning = Self.dependent(owners: [("a", false)], finalizers: ["orphan"])
        #expect(DependentDecision.decide(dependent: orphaning, owners: ["a": .absent]) == .delete(.orphan))
    }

    @Test func keepsWhileAnOwnerLivesAndDropsTheDeadReferences() {
        let d = Self.dependent(owners: [("a", false), ("b", false)])
        #expect(DependentDecision.decide(dependent: d, owners: ["a": .present, "b": .present]) == .keep)
        #expect(DependentDecision.decide(dependent: d, owners: ["a": .present, "b": .absent]) == .removeOwnerReferences(["b"]))
        #expect(DependentDecision.decide(dependent: d, owners: ["a": .unknownKind, "b": .absent]) == .removeOwnerReferences(["b"]))
    }

    @Test func foregroundOwnersTakeTheirDependentsInTheForeground() {
        let d = Self.dependent(owners: [("a", true)])
        #expect(DependentDecision.decide(dependent: d, owners: ["a": .waitingForDependents]) == .delete(.foreground))
        #expect(d.blocksDeletion(ofOwner: "a"))
        #expect(!d.blocksDeletion(ofOwner: "b"))
    }

    @Test func ownerModesFromFinalizers() {
        var owner: JSONValue = ["metadata": ["name": "o", "finalizers": ["foregroundDeletion"]]]
        #expect(OwnerDeletionMode.of(owner) == .none)  // not being deleted yet
        owner["metadata"]?["deletionTimestamp"] = "2024-01-01T00:00:00Z"
        #expect(OwnerDeletionMode.of(owner) == .foreground)
        #expect(OwnerDeletionMode.ownerState(owner) == .waitingForDependents)
        owner["metadata"]?["finalizers"] = ["orphan"]
        #expect(OwnerDeletionMode.of(owner) == .orphan)
        #expect(owner.removingFinalizer("orphan")["metadata"]?["finalizers"] == nil)
        let d = Self.dependent(owners: [("a", true), ("b", false)])
        #expect(d.removingOwnerReferences(["a"]).ownerReferences.map(\.uid) == ["b"])
    }
}

@Suite struct InfraNamespaceAndPodGCTests {
    @Test func discoveryKeepsNamespacedDeletableResources() {
        let list: JSONValue = ["resources": [
            ["name": "pods", "kind": "Pod", "namespaced": true, "verbs": ["list", "delete", "deletecollection"]],
            ["name": "pods/status", "kind": "Pod", "namespaced": true, "verbs": ["get"]],
            ["name": "nodes", "kind": "Node", "namespaced": false, "verbs": ["list", "delete"]],
            ["name": "bindings", "kind": "Binding", "namespaced": true, "verbs": ["create"]],
        ]]
        let resources = NamespacedResourceDiscovery.parseResourceList(list, group: "", version: "v1")
        #expect(resources.map(\.ref.plural) == ["pods"])
        #expect(resources.first?.canDeleteCollection == true)
        let groups: JSONValue = ["groups": [["name": "apps", "preferredVersion": ["version": "v1"]],
                                            ["name": "x.example", "versions": [["version": "v2"]]]]]
        #expect(NamespacedResourceDiscovery.preferredVersions(groups).map { "\($0.0)/\($0.1)" } == ["apps/v1", "x.example/v2"])
    }

    @Test func namespaceConditionsNameWhatRemains() {
        var outcome = NamespaceDeletionConditions.Outcome()
        outcome.remaining = ["pods.": 2]
        outcome.finalizers = ["example.com/keep": 1]
        let conditions = NamespaceDeletionConditions.conditions(outcome, existing: [], now: "T")
        let byType = Dictionary(uniqueKeysWithValues: conditions.map { ($0["type"]?.stringValue ?? "", $0) })
        #expect(byType["NamespaceContentRemaining"]?["status"] == "True")
        #expect(byType["NamespaceContentRemaining"]?["reason"] == "SomeResourcesRemain")
        #expect(byType["NamespaceFinalizersRemaining"]?["reason"] == "SomeFinalizersRemain")
        #expect(byType["NamespaceDeletionDiscoveryFailure"]?["status"] == "False")
        #expect(byType["NamespaceDeletionContentFailure"]?["reason"] == "ContentDeleted")
    }

    @Test func terminatedPodsAboveTheThresholdOldestFirst() {
        func pod(_ name: String, phase: String, created: String) -> JSONValue {
            ["metadata": ["name": .string(name), "namespace": "ns", "creationTimestamp": .string(created)],
             "status": ["phase": .string(phase)]]
        }
        let pods = [pod("new", phase: "Succeeded", created: "2024-01-03T00:00:00Z"),
                    pod("old", phase: "Failed", created: "2024-01-01T00:00:00Z"),
                    pod("mid", phase: "Succeeded", created: "2024-01-02T00:00:00Z"),
                    pod("running", phase: "Running", created: "2023-01-01T00:00:00Z")]
        #expect(PodGCController.terminatedToDelete(pods, threshold: 1).map(\.name) == ["old", "mid"])
        #expect(PodGCController.terminatedToDelete(pods, threshold: 3).isEmpty)
        #expect(PodGCController.terminatedToDelete(pods, threshold: 0).isEmpty)
    }
}
