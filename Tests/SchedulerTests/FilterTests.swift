import APIModel
import Testing
@testable import Scheduler

/// One row per case: a pod, a node (with the other nodes of the cluster when the filter
/// looks at them), and the rejection expected (nil: fits).
@Suite struct FilterTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var pod: PodInfo
        var node: NodeInfo
        var others: [NodeInfo] = []
        var expected: Rejection?
        var testDescription: String { name }
    }

    static func run(_ plugin: any FilterPlugin, _ row: Case) {
        let state = Fixtures.state(row.pod, nodes: [row.node] + row.others)
        #expect(plugin.filter(state, node: row.node) == row.expected, "\(row.name)")
    }

    static let unschedulableRows: [Case] = [
        Case(name: "schedulable node", pod: Fixtures.pod("p"), node: Fixtures.node("n"), expected: nil),
        Case(name: "cordoned node", pod: Fixtures.pod("p"), node: Fixtures.node("n", unschedulable: true),
             expected: .unresolvable("node(s) were unschedulable")),
        Case(name: "cordoned node, tolerated", pod: Fixtures.pod("p", spec: ["tolerations": [
            ["key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"]]]),
             node: Fixtures.node("n", unschedulable: true), expected: nil),
    ]
    @Test(arguments: unschedulableRows) func nodeUnschedulable(_ row: Case) { Self.run(NodeUnschedulable(), row) }

    static let nodeNameRows: [Case] = [
        Case(name: "no node name", pod: Fixtures.pod("p"), node: Fixtures.node("n"), expected: nil),
        Case(name: "same node", pod: Fixtures.pod("p", nodeName: "n"), node: Fixtures.node("n"), expected: nil),
        Case(name: "other node", pod: Fixtures.pod("p", nodeName: "m"), node: Fixtures.node("n"),
             expected: .unresolvable("node(s) didn't match the requested node name")),
    ]
    @Test(arguments: nodeNameRows) func nodeName(_ row: Case) { Self.run(NodeName(), row) }

    static let resourceRows: [Case] = [
        Case(name: "fits", pod: Fixtures.pod("p", cpu: "1", memory: "1Gi"), node: Fixtures.node("n"), expected: nil),
        Case(name: "too much cpu", pod: Fixtures.pod("p", cpu: "5"), node: Fixtures.node("n"), expected: .unschedulable("Insufficient cpu")),
        Case(name: "cpu and memory", pod: Fixtures.pod("p", cpu: "5", memory: "64Gi"), node: Fixtures.node("n"),
             expected: Rejection(reasons: ["Insufficient cpu", "Insufficient memory"], resolvable: true)),
        Case(name: "used by other pods", pod: Fixtures.pod("p", cpu: "2"),
             node: Fixtures.withPods(Fixtures.node("n"), [Fixtures.pod("a", cpu: "3")]), expected: .unschedulable("Insufficient cpu")),
        Case(name: "pod count", pod: Fixtures.pod("p"), node: Fixtures.withPods(Fixtures.node("n", pods: 1), [Fixtures.pod("a")]),
             expected: .unschedulable("Too many pods")),
        Case(name: "extended resource missing",
             pod: Fixtures.pod("p", spec: ["containers": [["name": "c", "resources": ["requests": ["example.com/gpu": "1"]]]]]),
             node: Fixtures.node("n"), expected: .unschedulable("Insufficient example.com/gpu")),
        Case(name: "extended resource present",
             pod: Fixtures.pod("p", spec: ["containers": [["name": "c", "resources": ["requests": ["example.com/gpu": "1"]]]]]),
             node: Fixtures.node("n", extra: ["example.com/gpu": "2"]), expected: nil),
        Case(name: "ephemeral storage",
             pod: Fixtures.pod("p", spec: ["containers": [["name": "c", "resources": ["requests": ["ephemeral-storage": "1Gi"]]]]]),
             node: Fixtures.node("n"), expected: .unschedulable("Insufficient ephemeral-storage")),
    ]
    @Test(arguments: resourceRows) func nodeResourcesFit(_ row: Case) { Self.run(NodeResourcesFit(), row) }

    static let affinityRows: [Case] = [
        Case(name: "nodeSelector matches", pod: Fixtures.pod("p", spec: ["nodeSelector": ["disk": "ssd"]]),
             node: Fixtures.node("n", labels: ["disk": "ssd"]), expected: nil),
        Case(name: "nodeSelector differs", pod: Fixtures.pod("p", spec: ["nodeSelector": ["disk": "ssd"]]),
             node: Fixtures.node("n", labels: ["disk": "hdd"]), expected: .unresolvable("node(s) didn't match Pod's node affinity/selector")),
        Case(name: "In", pod: Self.required(["key": "zone", "operator": "In", "values": ["a", "b"]]),
             node: Fixtures.node("n", labels: ["zone": "b"]), expected: nil),
        Case(name: "NotIn", pod: Self.required(["key": "zone", "operator": "NotIn", "values": ["a", "b"]]),
             node: Fixtures.node("n", labels: ["zone": "b"]), expected: .unresolvable(NodeAffinity.reason)),
        Case(name: "Exists", pod: Self.required(["key": "gpu", "operator": "Exists"]),
             node: Fixtures.node("n", labels: ["gpu": ""]), expected: nil),
        Case(name: "DoesNotExist", pod: Self.required(["key": "gpu", "operator": "DoesNotExist"]),
             node: Fixtures.node("n", labels: ["gpu": ""]), expected: .unresolvable(NodeAffinity.reason)),
        Case(name: "Gt", pod: Self.required(["key": "cores", "operator": "Gt", "values": ["8"]]),
             node: Fixtures.node("n", labels: ["cores": "16"]), expected: nil),
        Case(name: "Lt", pod: Self.required(["key": "cores", "operator": "Lt", "values": ["8"]]),
             node: Fixtures.node("n", labels: ["cores": "16"]), expected: .unresolvable(NodeAffinity.reason)),
        Case(name: "matchFields metadata.name", pod: Self.required(["key": "metadata.name", "operator": "In", "values": ["n"]], fields: true),
             node: Fixtures.node("n"), expected: nil),
        Case(name: "matchFields other name", pod: Self.required(["key": "metadata.name", "operator": "In", "values": ["m"]], fields: true),
             node: Fixtures.node("n"), expected: .unresolvable(NodeAffinity.reason)),
    ]
    @Test(arguments: affinityRows) func nodeAffinity(_ row: Case) { Self.run(NodeAffinity(), row) }

    static func required(_ expression: JSONValue, fields: Bool = false) -> PodInfo {
        Fixtures.pod("p", spec: ["affinity": ["nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": [
            "nodeSelectorTerms": [[fields ? "matchFields" : "matchExpressions": [expression]]]]]]])
    }

    static let taintRows: [Case] = [
        Case(name: "untainted", pod: Fixtures.pod("p"), node: Fixtures.node("n"), expected: nil),
        Case(name: "NoSchedule untolerated", pod: Fixtures.pod("p"), node: Fixtures.node("n", taints: [Fixtures.taint("node-role", "infra")]),
             expected: .unresolvable("node(s) had untolerated taint {node-role: infra}")),
        Case(name: "NoExecute untolerated", pod: Fixtures.pod("p"), node: Fixtures.node("n", taints: [Fixtures.taint("bad", "", "NoExecute")]),
             expected: .unresolvable("node(s) had untolerated taint {bad: }")),
        Case(name: "PreferNoSchedule only scores", pod: Fixtures.pod("p"),
             node: Fixtures.node("n", taints: [Fixtures.taint("soft", "x", "PreferNoSchedule")]), expected: nil),
        Case(name: "tolerated", pod: Fixtures.pod("p", spec: ["tolerations": [["key": "node-role", "operator": "Equal", "value": "infra"]]]),
             node: Fixtures.node("n", taints: [Fixtures.taint("node-role", "infra")]), expected: nil),
    ]
    @Test(arguments: taintRows) func taintToleration(_ row: Case) { Self.run(TaintToleration(), row) }

    static let portRows: [Case] = [
        Case(name: "free port", pod: Self.hostPort(8080), node: Fixtures.withPods(Fixtures.node("n"), [Self.hostPort(9090, name: "a")]), expected: nil),
        Case(name: "taken port", pod: Self.hostPort(8080), node: Fixtures.withPods(Fixtures.node("n"), [Self.hostPort(8080, name: "a")]),
             expected: .unschedulable("node(s) didn't have free ports for the requested pod ports")),
        Case(name: "other protocol", pod: Self.hostPort(53, proto: "UDP"),
             node: Fixtures.withPods(Fixtures.node("n"), [Self.hostPort(53, name: "a")]), expected: nil),
        Case(name: "distinct addresses", pod: Self.hostPort(80, ip: "10.0.0.1"),
             node: Fixtures.withPods(Fixtures.node("n"), [Self.hostPort(80, name: "a", ip: "10.0.0.2")]), expected: nil),
    ]
    @Test(arguments: portRows) func nodePorts(_ row: Case) { Self.run(NodePorts(), row) }

    static func hostPort(_ port: Int64, name: String = "p", proto: String = "TCP", ip: String = "") -> PodInfo {
        Fixtures.pod(name, spec: ["containers": [["name": "c", "image": "x", "ports": [
            ["containerPort": .int(port), "hostPort": .int(port), "protocol": .string(proto), "hostIP": .string(ip)]]]]])
    }

    static func spread(_ name: String, labels: [String: String] = ["app": "web"], key: String = "zone", maxSkew: Int64 = 1,
                       minDomains: Int64? = nil) -> PodInfo {
        var constraint: JSONValue = ["maxSkew": .int(maxSkew), "topologyKey": .string(key), "whenUnsatisfiable": "DoNotSchedule",
                                     "labelSelector": ["matchLabels": ["app": "web"]]]
        if let minDomains { constraint["minDomains"] = .int(minDomains) }
        return Fixtures.pod(name, labels: labels, spec: ["topologySpreadConstraints": [constraint]])
    }

    static let zoneA = Fixtures.withPods(Fixtures.node("a", labels: ["zone": "a"]), [Fixtures.pod("w1", labels: ["app": "web"])])
    static let zoneB = Fixtures.node("b", labels: ["zone": "b"])
    static let spreadRows: [Case] = [
        Case(name: "emptier domain", pod: spread("p"), node: zoneB, others: [zoneA], expected: nil),
        Case(name: "fuller domain", pod: spread("p"), node: zoneA, others: [zoneB],
             expected: .unschedulable("node(s) didn't match pod topology spread constraints")),
        Case(name: "maxSkew 2 allows it", pod: spread("p", maxSkew: 2), node: zoneA, others: [zoneB], expected: nil),
        Case(name: "missing label", pod: spread("p"), node: Fixtures.node("c"), others: [zoneA, zoneB],
             expected: .unresolvable("node(s) didn't match pod topology spread constraints (missing required label)")),
        Case(name: "minDomains counts missing domains as zero", pod: spread("p", maxSkew: 1, minDomains: 3),
             node: Fixtures.withPods(Fixtures.node("a", labels: ["zone": "a"]), [Fixtures.pod("w1", labels: ["app": "web"])]),
             others: [Fixtures.withPods(Fixtures.node("b", labels: ["zone": "b"]), [Fixtures.pod("w2", labels: ["app": "web"])])],
             expected: .unschedulable(PodTopologySpread.reason)),
        Case(name: "nodes outside the pod's node affinity do not count",
             pod: Fixtures.pod("p", labels: ["app": "web"], spec: [
                "nodeSelector": ["zone": "a"],
                "topologySpreadConstraints": [["maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule",
                                               "labelSelector": ["matchLabels": ["app": "web"]]]]]),
             node: zoneA, others: [zoneB], expected: nil),
    ]
    @Test(arguments: spreadRows) func podTopologySpread(_ row: Case) { Self.run(PodTopologySpread(), row) }

    static func affinityPod(_ name: String, labels: [String: String] = [:], kind: String, required: Bool = true,
                            key: String = "zone", selector: [String: String] = ["app": "db"]) -> PodInfo {
        var matchLabels = JSONObject()
        for (k, v) in selector { matchLabels[k] = .string(v) }
        let term: JSONValue = ["labelSelector": ["matchLabels": .object(matchLabels)], "topologyKey": .string(key)]
        let stanza: JSONValue = required ? ["requiredDuringSchedulingIgnoredDuringExecution": [term]]
            : ["preferredDuringSchedulingIgnoredDuringExecution": [["weight": 10, "podAffinityTerm": term]]]
        return Fixtures.pod(name, labels: labels, spec: ["affinity": [kind: stanza]])
    }

    static let dbInA = Fixtures.withPods(Fixtures.node("a", labels: ["zone": "a"]), [Fixtures.pod("db", labels: ["app": "db"])])
    static let emptyB = Fixtures.node("b", labels: ["zone": "b"])
    static let podAffinityRows: [Case] = [
        Case(name: "affinity: same zone as db", pod: affinityPod("p", kind: "podAffinity"), node: dbInA, others: [emptyB], expected: nil),
        Case(name: "affinity: other zone", pod: affinityPod("p", kind: "podAffinity"), node: emptyB, others: [dbInA],
             expected: .unresolvable("node(s) didn't match pod affinity rules")),
        Case(name: "affinity: first pod of its own group", pod: affinityPod("p", labels: ["app": "db"], kind: "podAffinity"),
             node: emptyB, others: [Fixtures.node("a", labels: ["zone": "a"])], expected: nil),
        Case(name: "anti-affinity: zone with db", pod: affinityPod("p", kind: "podAntiAffinity"), node: dbInA, others: [emptyB],
             expected: .unschedulable("node(s) didn't match pod anti-affinity rules")),
        Case(name: "anti-affinity: other zone", pod: affinityPod("p", kind: "podAntiAffinity"), node: emptyB, others: [dbInA], expected: nil),
        Case(name: "existing pod's anti-affinity", pod: Fixtures.pod("p", labels: ["app": "web"]),
             node: Fixtures.withPods(Fixtures.node("a", labels: ["zone": "a"]),
                                     [affinityPod("lonely", kind: "podAntiAffinity", selector: ["app": "web"])]),
             others: [emptyB], expected: .unschedulable("node(s) didn't satisfy existing pods anti-affinity rules")),
        Case(name: "other namespace does not match", pod: affinityPod("p", kind: "podAntiAffinity"),
             node: Fixtures.withPods(Fixtures.node("a", labels: ["zone": "a"]), [Fixtures.pod("db", namespace: "other", labels: ["app": "db"])]),
             expected: nil),
    ]
    @Test(arguments: podAffinityRows) func interPodAffinity(_ row: Case) { Self.run(InterPodAffinity(), row) }
}
