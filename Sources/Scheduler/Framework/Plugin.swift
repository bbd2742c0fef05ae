/// Why a node cannot take a pod. `resolvable` rejections (resources, ports, anti-affinity of
/// pods that could be evicted) are the ones preemption may cure; the others (taints,
/// selectors, missing labels) no eviction can change.
struct Rejection: Sendable, Equatable {
    var reasons: [String]
    var resolvable: Bool

    static func unschedulable(_ reasons: String...) -> Rejection { Rejection(reasons: reasons, resolvable: true) }
    static func unresolvable(_ reasons: String...) -> Rejection { Rejection(reasons: reasons, resolvable: false) }
}

/// A filter: can this node run this pod? `prepare` sees the whole cluster once per pod
/// (Kubernetes' PreFilter) and stores what the per-node check needs in the cycle state.
protocol FilterPlugin: Sendable {
    var name: String { get }
    func prepare(_ state: inout CycleState, nodes: [NodeInfo])
    func filter(_ state: CycleState, node: NodeInfo) -> Rejection?
}

extension FilterPlugin {
    func prepare(_ state: inout CycleState, nodes: [NodeInfo]) {}
}

/// A score: how good is this feasible node for this pod? Raw scores are normalized to
/// 0…100 over the feasible nodes, then weighted.
protocol ScorePlugin: Sendable {
    var name: String { get }
    var weight: Int64 { get }
    func prepareScore(_ state: inout CycleState, feasible: [NodeInfo], all: [NodeInfo])
    func score(_ state: CycleState, node: NodeInfo) -> Int64
    func normalize(_ scores: inout [Int64], state: CycleState)
}

extension ScorePlugin {
    func prepareScore(_ state: inout CycleState, feasible: [NodeInfo], all: [NodeInfo]) {}
    func normalize(_ scores: inout [Int64], state: CycleState) {}
}

let maxNodeScore: Int64 = 100

/// Kubernetes' default normalization: scale so the highest raw score becomes 100;
/// `reverse` turns "fewer is better" counts into scores.
func normalizeToMax(_ scores: inout [Int64], reverse: Bool) {
    let highest = scores.max() ?? 0
    if highest == 0 {
        if reverse { for index in scores.indices { scores[index] = maxNodeScore } }
        return
    }
    for index in scores.indices {
        let scaled = maxNodeScore * scores[index] / highest
        scores[index] = reverse ? maxNodeScore - scaled : scaled
    }
}
