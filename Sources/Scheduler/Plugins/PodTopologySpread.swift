import APIModel

/// Matching pods counted per topology domain, for the pod's spread constraints.
struct TopologySpreadState: Sendable {
    var constraints: [TopologySpreadConstraint] = []
    /// Per constraint: domain value → matching pods.
    var counts: [[String: Int64]] = []
    /// Per constraint: the smallest count over the domains (0 when fewer than minDomains).
    var minimums: [Int64] = []
    /// Per constraint: 1 when the pod matches its own selector (it would add itself).
    var selfMatch: [Int64] = []
}

/// DoNotSchedule constraints filter: a node is out when placing the pod there would make
/// its domain exceed the least-populated domain by more than maxSkew. ScheduleAnyway
/// constraints score: fuller domains score lower.
struct PodTopologySpread: FilterPlugin, ScorePlugin {
    let name = "PodTopologySpread"
    let weight: Int64 = 2
    static let reason = "node(s) didn't match pod topology spread constraints"
    static let missingLabelReason = "node(s) didn't match pod topology spread constraints (missing required label)"

    /// Counts over the nodes that have every constraint's key and pass the node affinity
    /// and taint policies.
    static func count(_ constraints: [TopologySpreadConstraint], pod: PodInfo, nodes: [NodeInfo]) -> TopologySpreadState {
        var state = TopologySpreadState(constraints: constraints, counts: Array(repeating: [:], count: constraints.count),
                                        minimums: [], selfMatch: constraints.map { $0.selector.matches(pod.labels) ? 1 : 0 })
        guard !constraints.isEmpty else { return state }
        nodeLoop: for node in nodes {
            for constraint in constraints where node.labels[constraint.topologyKey] == nil { continue nodeLoop }
            for (index, constraint) in constraints.enumerated() {
                if constraint.honorNodeAffinity && !NodeAffinity.matches(pod, node) { continue }
                if constraint.honorNodeTaints && node.taints.contains(where: { $0.effect != .preferNoSchedule && !pod.tolerations.tolerate($0) }) { continue }
                guard let domain = node.labels[constraint.topologyKey] else { continue }
                var matching: Int64 = 0
                for existing in node.pods where existing.namespace == pod.namespace && !existing.isTerminating
                    && constraint.selector.matches(existing.labels) {
                    matching += 1
                }
                state.counts[index][domain, default: 0] += matching
            }
        }
        state.minimums = zip(constraints, state.counts).map { constraint, counts in
            if Int64(counts.count) < constraint.minDomains { return 0 }
            return counts.values.min() ?? 0
        }
        return state
    }

    func prepare(_ state: inout CycleState, nodes: [NodeInfo]) {
        let hard = state.pod.topologySpread.filter(\.hard)
        guard !hard.isEmpty else { return }
        state.topologySpread = Self.count(hard, pod: state.pod, nodes: nodes)
    }

    func filter(_ state: CycleState, node: NodeInfo) -> Rejection? {
        let spread = state.topologySpread
        guard !spread.constraints.isEmpty else { return nil }
        for (index, constraint) in spread.constraints.enumerated() {
            guard let domain = node.labels[constraint.topologyKey] else { return .unresolvable(Self.missingLabelReason) }
            let skew = (spread.counts[index][domain] ?? 0) + spread.selfMatch[index] - spread.minimums[index]
            if skew > constraint.maxSkew { return .unschedulable(Self.reason) }
        }
        return nil
    }

    func prepareScore(_ state: inout CycleState, feasible: [NodeInfo], all: [NodeInfo]) {
        let soft = state.pod.topologySpread.filter { !$0.hard }
        guard !soft.isEmpty else { return }
        state.topologySpreadScore = Self.count(soft, pod: state.pod, nodes: all)
    }

    /// Matching pods in the node's domains, each constraint weighted by log(domains + 2);
    /// −1 marks a node missing a key (it scores 0).
    func score(_ state: CycleState, node: NodeInfo) -> Int64 {
        let spread = state.topologySpreadScore
        guard !spread.constraints.isEmpty else { return 0 }
        var total = 0.0
        for (index, constraint) in spread.constraints.enumerated() {
            guard let domain = node.labels[constraint.topologyKey] else { return -1 }
            let weight = log(Double(spread.counts[index].count + 2))
            total += Double(spread.counts[index][domain] ?? 0) * weight + Double(constraint.maxSkew - 1)
        }
        return Int64(total.rounded())
    }

    func normalize(_ scores: inout [Int64], state: CycleState) {
        guard !state.topologySpreadScore.constraints.isEmpty else {
            for index in scores.indices { scores[index] = 0 }
            return
        }
        let valid = scores.filter { $0 >= 0 }
        guard let highest = valid.max(), let lowest = valid.min() else { return }
        for index in scores.indices {
            if scores[index] < 0 { scores[index] = 0; continue }
            scores[index] = highest == 0 ? maxNodeScore : maxNodeScore * (highest + lowest - scores[index]) / highest
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
