/// Where the pods that matter to an affinity rule are, by topology value.
struct InterPodAffinityState: Sendable {
    var active = false
    /// topologyKey → value → existing pods whose required anti-affinity matches the pod.
    var existingAntiAffinity: [String: [String: Int]] = [:]
    /// Per required affinity term of the pod: value → matching existing pods.
    var affinityCounts: [[String: Int]] = []
    /// Per required anti-affinity term of the pod: value → matching existing pods.
    var antiAffinityCounts: [[String: Int]] = []
    /// No pod anywhere matches the affinity terms, but the pod matches them itself: the
    /// first pod of a group that wants to be together may go anywhere.
    var affinitySelfSatisfied = false
}

/// Required pod affinity (some matching pod in the node's domain), required pod
/// anti-affinity (none in it), and the anti-affinity of pods already placed; preferred terms
/// (the pod's, and placed pods' towards it) score.
struct InterPodAffinity: FilterPlugin, ScorePlugin {
    let name = "InterPodAffinity"
    let weight: Int64 = 2
    static let affinityReason = "node(s) didn't match pod affinity rules"
    static let antiAffinityReason = "node(s) didn't match pod anti-affinity rules"
    static let existingAntiAffinityReason = "node(s) didn't satisfy existing pods anti-affinity rules"

    func prepare(_ state: inout CycleState, nodes: [NodeInfo]) {
        let pod = state.pod
        let spec = pod.podAffinity
        let namespaceLabels = state.namespaceLabels
        let labels: (String) -> [String: String] = { namespaceLabels[$0] ?? [:] }
        var result = InterPodAffinityState()
        result.affinityCounts = Array(repeating: [:], count: spec.requiredAffinity.count)
        result.antiAffinityCounts = Array(repeating: [:], count: spec.requiredAntiAffinity.count)
        let wantsPods = !spec.requiredAffinity.isEmpty || !spec.requiredAntiAffinity.isEmpty
        guard wantsPods || state.clusterHasRequiredAntiAffinityPods else {
            state.interPodAffinity = result
            return
        }
        for index in nodes.indices {
            let node = nodes[index]
            if node.podsWithRequiredAntiAffinity > 0 {
                for existing in node.pods where existing.hasRequiredAntiAffinity {
                    for term in existing.podAffinity.requiredAntiAffinity where term.matches(pod, namespaceLabels: labels) {
                        if let value = node.labels[term.topologyKey] {
                            result.existingAntiAffinity[term.topologyKey, default: [:]][value, default: 0] += 1
                        }
                    }
                }
            }
            guard wantsPods, !node.pods.isEmpty else { continue }
            for existing in node.pods where existing.key != pod.key {
                for (index, term) in spec.requiredAffinity.enumerated() where term.matches(existing, namespaceLabels: labels) {
                    if let value = node.labels[term.topologyKey] { result.affinityCounts[index][value, default: 0] += 1 }
                }
                for (index, term) in spec.requiredAntiAffinity.enumerated() where term.matches(existing, namespaceLabels: labels) {
                    if let value = node.labels[term.topologyKey] { result.antiAffinityCounts[index][value, default: 0] += 1 }
                }
            }
        }
        if !spec.requiredAffinity.isEmpty && result.affinityCounts.allSatisfy(\.isEmpty) {
            result.affinitySelfSatisfied = spec.requiredAffinity.allSatisfy { $0.matches(pod, namespaceLabels: labels) }
        }
        result.active = wantsPods || !result.existingAntiAffinity.isEmpty
        state.interPodAffinity = result
    }

    func filter(_ state: CycleState, node: NodeInfo) -> Rejection? {
        let affinity = state.interPodAffinity
        guard affinity.active else { return nil }
        for (key, values) in affinity.existingAntiAffinity {
            if let value = node.labels[key], values[value] != nil { return .unschedulable(Self.existingAntiAffinityReason) }
        }
        let spec = state.pod.podAffinity
        for (index, term) in spec.requiredAntiAffinity.enumerated() {
            if let value = node.labels[term.topologyKey], (affinity.antiAffinityCounts[index][value] ?? 0) > 0 {
                return .unschedulable(Self.antiAffinityReason)
            }
        }
        if !spec.requiredAffinity.isEmpty {
            for (index, term) in spec.requiredAffinity.enumerated() {
                guard let value = node.labels[term.topologyKey] else { return .unresolvable(Self.affinityReason) }
                if affinity.affinitySelfSatisfied { continue }
                if (affinity.affinityCounts[index][value] ?? 0) == 0 { return .unresolvable(Self.affinityReason) }
            }
        }
        return nil
    }

    /// topologyKey → value → summed weights: the pod's preferred terms over placed pods,
    /// and placed pods' preferred terms over the pod.
    func prepareScore(_ state: inout CycleState, feasible: [NodeInfo], all: [NodeInfo]) {
        let pod = state.pod
        let spec = pod.podAffinity
        let namespaceLabels = state.namespaceLabels
        let labels: (String) -> [String: String] = { namespaceLabels[$0] ?? [:] }
        let ownPreferences = !spec.preferredAffinity.isEmpty || !spec.preferredAntiAffinity.isEmpty
        var scores: [String: [String: Int64]] = [:]
        guard ownPreferences || state.clusterHasAffinityPods else { return }
        for index in all.indices where !all[index].pods.isEmpty && (ownPreferences || all[index].podsWithAffinity > 0) {
            let node = all[index]
            for existing in node.pods where existing.key != pod.key {
                for term in spec.preferredAffinity where term.matches(existing, namespaceLabels: labels) {
                    if let value = node.labels[term.topologyKey] { scores[term.topologyKey, default: [:]][value, default: 0] += term.weight }
                }
                for term in spec.preferredAntiAffinity where term.matches(existing, namespaceLabels: labels) {
                    if let value = node.labels[term.topologyKey] { scores[term.topologyKey, default: [:]][value, default: 0] -= term.weight }
                }
                guard existing.hasAffinity else { continue }
                for term in existing.podAffinity.preferredAffinity where term.matches(pod, namespaceLabels: labels) {
                    if let value = node.labels[term.topologyKey] { scores[term.topologyKey, default: [:]][value, default: 0] += term.weight }
                }
                for term in existing.podAffinity.preferredAntiAffinity where term.matches(pod, namespaceLabels: labels) {
                    if let value = node.labels[term.topologyKey] { scores[term.topologyKey, default: [:]][value, default: 0] -= term.weight }
                }
            }
        }
        state.interPodAffinityScores = scores
    }

    func score(_ state: CycleState, node: NodeInfo) -> Int64 {
        var total: Int64 = 0
        for (key, values) in state.interPodAffinityScores {
            if let value = node.labels[key] { total += values[value] ?? 0 }
        }
        return total
    }

    /// Lowest becomes 0 and highest 100; all equal is 0.
    func normalize(_ scores: inout [Int64], state: CycleState) {
        guard let highest = scores.max(), let lowest = scores.min(), highest != lowest else {
            for index in scores.indices { scores[index] = 0 }
            return
        }
        for index in scores.indices { scores[index] = maxNodeScore * (scores[index] - lowest) / (highest - lowest) }
    }
}
