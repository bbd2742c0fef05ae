import APIModel
import ClusterClient

/// Whether a daemon pod belongs on a node, decided as Kubernetes' DaemonSet controller
/// does before handing the pod to the scheduler: the pod's nodeSelector and required node
/// affinity match the node, and every NoSchedule/NoExecute taint is tolerated (including
/// the tolerations every daemon pod gets). `spec.unschedulable` does not keep daemons off.
enum NodeEligibility {
    /// Tolerations added to every daemon pod so node conditions do not evict it or keep it off.
    static let daemonTolerations: [JSONValue] = [
        ["key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"],
        ["key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"],
        ["key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"],
        ["key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"],
        ["key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"],
        ["key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"],
    ]

    /// `podSpec` with the daemon tolerations it does not already have.
    static func addingDaemonTolerations(_ podSpec: JSONValue) -> JSONValue {
        var spec = podSpec
        var tolerations = spec["tolerations"]?.arrayValue ?? []
        for toleration in daemonTolerations {
            let present = tolerations.contains {
                $0["key"] == toleration["key"] && $0["effect"] == toleration["effect"]
            }
            if !present { tolerations.append(toleration) }
        }
        spec["tolerations"] = .array(tolerations)
        return spec
    }

    static func shouldRun(podSpec: JSONValue, on node: JSONValue) -> Bool {
        selectorMatches(podSpec["nodeSelector"], node) && affinityMatches(podSpec, node)
            && taintsTolerated(node, tolerations: podSpec["tolerations"]?.arrayValue ?? [])
    }

    static func selectorMatches(_ selector: JSONValue?, _ node: JSONValue) -> Bool {
        guard let selector = selector?.objectValue else { return true }
        let labels = node.labels
        return selector.allSatisfy { key, value in labels[key] == value.stringValue }
    }

    /// Required node affinity: any term matches (a term matches when all its expressions do).
    static func affinityMatches(_ podSpec: JSONValue, _ node: JSONValue) -> Bool {
        guard let terms = podSpec.value(at: ["affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
                                             "nodeSelectorTerms"])?.arrayValue else { return true }
        if terms.isEmpty { return false }
        return terms.contains { term in
            let expressions = term["matchExpressions"]?.arrayValue ?? []
            let fields = term["matchFields"]?.arrayValue ?? []
            if expressions.isEmpty && fields.isEmpty { return false }
            let labels = node.labels
            return expressions.allSatisfy { requirementMatches($0, labels[$0["key"]?.stringValue ?? ""]) }
                && fields.allSatisfy { field in
                    field["key"]?.stringValue == "metadata.name" && requirementMatches(field, node.name)
                }
        }
    }

    static func requirementMatches(_ requirement: JSONValue, _ value: String?) -> Bool {
        let values = requirement["values"]?.arrayValue?.compactMap(\.stringValue) ?? []
        switch requirement["operator"]?.stringValue ?? "" {
        case "In": return value.map(values.contains) ?? false
        case "NotIn": return value.map { !values.contains($0) } ?? true
        case "Exists": return value != nil
        case "DoesNotExist": return value == nil
        case "Gt": return Self.compare(value, values) { $0 > $1 }
        case "Lt": return Self.compare(value, values) { $0 < $1 }
        default: return false
        }
    }

    private static func compare(_ value: String?, _ values: [String], _ order: (Int64, Int64) -> Bool) -> Bool {
        guard values.count == 1, let value, let left = Int64(value), let right = Int64(values[0]) else { return false }
        return order(left, right)
    }

    static func taintsTolerated(_ node: JSONValue, tolerations: [JSONValue]) -> Bool {
        let taints = node["spec"]?["taints"]?.arrayValue ?? []
        return taints.allSatisfy { taint in
            let effect = taint["effect"]?.stringValue ?? ""
            guard effect == "NoSchedule" || effect == "NoExecute" else { return true }
            return tolerations.contains { tolerates($0, taint) }
        }
    }

    static func tolerates(_ toleration: JSONValue, _ taint: JSONValue) -> Bool {
        let effect = toleration["effect"]?.stringValue ?? ""
        if !effect.isEmpty && effect != taint["effect"]?.stringValue { return false }
        let key = toleration["key"]?.stringValue ?? ""
        let op = toleration["operator"]?.stringValue ?? "Equal"
        if op == "Exists" { return key.isEmpty || key == taint["key"]?.stringValue }
        return key == taint["key"]?.stringValue && (toleration["value"]?.stringValue ?? "") == (taint["value"]?.stringValue ?? "")
    }

    /// Pins `podSpec` to `nodeName` through required node affinity on `metadata.name`
    /// (the scheduler still binds it, respecting resources and ports).
    static func pinning(_ podSpec: JSONValue, to nodeName: String) -> JSONValue {
        var spec = podSpec
        let term: JSONValue = ["matchFields": [["key": "metadata.name", "operator": "In", "values": [.string(nodeName)]]]]
        var affinity = spec["affinity"] ?? .emptyObject
        var nodeAffinity = affinity["nodeAffinity"] ?? .emptyObject
        nodeAffinity["requiredDuringSchedulingIgnoredDuringExecution"] = ["nodeSelectorTerms": [term]]
        affinity["nodeAffinity"] = nodeAffinity
        spec["affinity"] = affinity
        return spec
    }

    /// The node a daemon pod is for: its nodeName once bound, else its pinning affinity.
    static func targetNode(of pod: JSONValue) -> String? {
        if let name = pod["spec"]?["nodeName"]?.stringValue, !name.isEmpty { return name }
        let terms = pod["spec"]?.value(at: ["affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution",
                                           "nodeSelectorTerms"])?.arrayValue ?? []
        for term in terms {
            for field in term["matchFields"]?.arrayValue ?? [] where field["key"]?.stringValue == "metadata.name" {
                if let value = field["values"]?.arrayValue?.first?.stringValue { return value }
            }
        }
        return nil
    }
}
