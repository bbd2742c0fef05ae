/// `spec.nodeSelector` and required node affinity must both match the node's labels (and,
/// for `matchFields`, its name); preferred terms add their weights to the score.
struct NodeAffinity: FilterPlugin, ScorePlugin {
    let name = "NodeAffinity"
    let weight: Int64 = 2
    static let reason = "node(s) didn't match Pod's node affinity/selector"

    func filter(_ state: CycleState, node: NodeInfo) -> Rejection? {
        Self.matches(state.pod, node) ? nil : .unresolvable(Self.reason)
    }

    static func matches(_ pod: PodInfo, _ node: NodeInfo) -> Bool {
        for (key, value) in pod.nodeSelector where node.labels[key] != value { return false }
        if let required = pod.requiredNodeAffinity, !required.matches(nodeName: node.name, labels: node.labels) { return false }
        return true
    }

    func score(_ state: CycleState, node: NodeInfo) -> Int64 {
        var total: Int64 = 0
        for preferred in state.pod.preferredNodeAffinity where preferred.term.matches(nodeName: node.name, labels: node.labels) {
            total += preferred.weight
        }
        return total
    }

    func normalize(_ scores: inout [Int64], state: CycleState) {
        normalizeToMax(&scores, reverse: false)
    }
}

/// Taints with NoSchedule or NoExecute keep out pods that do not tolerate them; untolerated
/// PreferNoSchedule taints lower the score.
struct TaintToleration: FilterPlugin, ScorePlugin {
    let name = "TaintToleration"
    let weight: Int64 = 3

    func filter(_ state: CycleState, node: NodeInfo) -> Rejection? {
        for taint in node.taints where taint.effect != .preferNoSchedule {
            if !state.pod.tolerations.tolerate(taint) {
                return .unresolvable("node(s) had untolerated taint {\(taint.key): \(taint.value)}")
            }
        }
        return nil
    }

    func score(_ state: CycleState, node: NodeInfo) -> Int64 {
        var count: Int64 = 0
        for taint in node.taints where taint.effect == .preferNoSchedule {
            let tolerated = state.pod.tolerations.contains { ($0.effect == nil || $0.effect == .preferNoSchedule) && $0.tolerates(taint) }
            if !tolerated { count += 1 }
        }
        return count
    }

    func normalize(_ scores: inout [Int64], state: CycleState) {
        normalizeToMax(&scores, reverse: true)
    }
}

/// Nodes that already hold the pod's images score higher, by the images' sizes scaled by
/// how many nodes have them (so one node caching an image does not attract everything).
struct ImageLocality: ScorePlugin {
    let name = "ImageLocality"
    let weight: Int64 = 1
    static let minThreshold: Int64 = 23 * 1024 * 1024
    static let maxContainerThreshold: Int64 = 1000 * 1024 * 1024

    func score(_ state: CycleState, node: NodeInfo) -> Int64 {
        let images = state.pod.images
        guard !images.isEmpty, !node.imageSizes.isEmpty, state.totalNodes > 0 else { return 0 }
        var sum: Int64 = 0
        for image in images {
            guard let size = node.imageSizes[image] else { continue }
            let spread = Double(state.imageNodeCounts[image] ?? 1) / Double(state.totalNodes)
            sum += Int64(Double(size) * spread)
        }
        let maxThreshold = Self.maxContainerThreshold * Int64(images.count)
        let clamped = min(max(sum, Self.minThreshold), maxThreshold)
        return maxNodeScore * (clamped - Self.minThreshold) / (maxThreshold - Self.minThreshold)
    }
}
