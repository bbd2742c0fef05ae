import APIModel
import Testing
@testable import Scheduler

/// Each score plugin over a few nodes: the normalized scores (0…100) it gives them.
@Suite struct ScoreTests {
    static func scores(_ plugin: any ScorePlugin, _ pod: PodInfo, _ nodes: [NodeInfo]) -> [Int64] {
        var state = Fixtures.state(pod, nodes: nodes)
        plugin.prepareScore(&state, feasible: nodes, all: nodes)
        var scores = nodes.map { plugin.score(state, node: $0) }
        plugin.normalize(&scores, state: state)
        return scores
    }

    @Test func leastAllocatedPrefersTheEmptierNode() {
        let busy = Fixtures.withPods(Fixtures.node("busy"), [Fixtures.pod("a", cpu: "3", memory: "16Gi")])
        let empty = Fixtures.node("empty")
        let scores = Self.scores(NodeResourcesFit(), Fixtures.pod("p", cpu: "1", memory: "8Gi"), [busy, empty])
        // busy: cpu (4-4)/4 = 0, memory (32-24)/32 = 25 → 12; empty: cpu 75, memory 75 → 75.
        #expect(scores == [12, 75])
    }

    @Test func balancedAllocationPrefersEvenUse() {
        let cpuHeavy = Fixtures.withPods(Fixtures.node("cpu"), [Fixtures.pod("a", cpu: "3")])
        let even = Fixtures.node("even")
        let scores = Self.scores(BalancedAllocation(), Fixtures.pod("p", cpu: "1", memory: "8Gi"), [cpuHeavy, even])
        // cpu node: fractions 1.0 and 0.25 → 1 - 0.375 = 62; even: 0.25 and 0.25 → 100.
        #expect(scores == [62, 100])
    }

    @Test func preferredNodeAffinitySumsWeights() {
        let pod = Fixtures.pod("p", spec: ["affinity": ["nodeAffinity": ["preferredDuringSchedulingIgnoredDuringExecution": [
            ["weight": 20, "preference": ["matchExpressions": [["key": "disk", "operator": "In", "values": ["ssd"]]]]],
            ["weight": 60, "preference": ["matchExpressions": [["key": "zone", "operator": "In", "values": ["a"]]]]],
        ]]]])
        let nodes = [Fixtures.node("both", labels: ["disk": "ssd", "zone": "a"]), Fixtures.node("ssd", labels: ["disk": "ssd"]),
                     Fixtures.node("none")]
        #expect(Self.scores(NodeAffinity(), pod, nodes) == [100, 25, 0])
    }

    @Test func preferNoScheduleTaintsLowerTheScore() {
        let nodes = [Fixtures.node("clean"), Fixtures.node("one", taints: [Fixtures.taint("a", "", "PreferNoSchedule")]),
                     Fixtures.node("two", taints: [Fixtures.taint("a", "", "PreferNoSchedule"), Fixtures.taint("b", "", "PreferNoSchedule")])]
        #expect(Self.scores(TaintToleration(), Fixtures.pod("p"), nodes) == [100, 50, 0])
        let tolerant = Fixtures.pod("p", spec: ["tolerations": [["operator": "Exists"]]])
        #expect(Self.scores(TaintToleration(), tolerant, nodes) == [100, 100, 100])
    }

    @Test func imageLocalityPrefersNodesWithTheImage() {
        let image: JSONValue = ["names": ["registry.example/app:1"], "sizeBytes": .int(500 * 1024 * 1024)]
        let nodes = [Fixtures.node("has", images: [image]), Fixtures.node("lacks")]
        let scores = Self.scores(ImageLocality(), Fixtures.pod("p"), nodes)
        #expect(scores[0] > 0)
        #expect(scores[1] == 0)
    }

    @Test func scheduleAnywaySpreadPrefersEmptierDomains() {
        let pod = Fixtures.pod("p", labels: ["app": "web"], spec: ["topologySpreadConstraints": [[
            "maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": ["matchLabels": ["app": "web"]]]]])
        let full = Fixtures.withPods(Fixtures.node("a", labels: ["zone": "a"]),
                                     [Fixtures.pod("w1", labels: ["app": "web"]), Fixtures.pod("w2", labels: ["app": "web"])])
        let empty = Fixtures.node("b", labels: ["zone": "b"])
        let scores = Self.scores(PodTopologySpread(), pod, [full, empty])
        #expect(scores[1] == 100)
        #expect(scores[0] < scores[1])
    }

    @Test func preferredPodAffinityAndAntiAffinity() {
        let dbNode = Fixtures.withPods(Fixtures.node("a", labels: ["zone": "a"]), [Fixtures.pod("db", labels: ["app": "db"])])
        let other = Fixtures.node("b", labels: ["zone": "b"])
        let near = FilterTests.affinityPod("p", kind: "podAffinity", required: false)
        #expect(Self.scores(InterPodAffinity(), near, [dbNode, other]) == [100, 0])
        let far = FilterTests.affinityPod("p", kind: "podAntiAffinity", required: false)
        #expect(Self.scores(InterPodAffinity(), far, [dbNode, other]) == [0, 100])
    }
}
