/// One scheduling cycle: filter nodes (stopping once enough feasible ones are found, as
/// Kubernetes' percentageOfNodesToScore does), score the feasible ones, pick the best.
/// Kept apart from the API plumbing so the tests drive it with plain values.
struct SchedulingAlgorithm: Sendable {
    static let filters: [any FilterPlugin] = [
        NodeUnschedulable(), NodeName(), TaintToleration(), NodeAffinity(), NodePorts(), NodeResourcesFit(),
        PodTopologySpread(), InterPodAffinity(),
    ]
    static let scores: [any ScorePlugin] = [
        TaintToleration(), NodeAffinity(), NodeResourcesFit(), PodTopologySpread(), InterPodAffinity(),
        BalancedAllocation(), ImageLocality(),
    ]
    static let minFeasibleNodesToFind = 100
    static let minFeasibleNodesPercentageToFind = 5

    /// nil: adaptive.
    var percentageOfNodesToScore: Int?
    /// Where the next cycle starts looking, so successive pods see different nodes first.
    private(set) var nextStartNodeIndex = 0
    /// Picks among equally scored nodes in turn.
    private var tieBreakCounter = 0

    init(percentageOfNodesToScore: Int? = nil) {
        self.percentageOfNodesToScore = percentageOfNodesToScore
    }

    /// How many feasible nodes to find before scoring.
    func numFeasibleNodesToFind(_ numAllNodes: Int) -> Int {
        if numAllNodes < Self.minFeasibleNodesToFind { return numAllNodes }
        var percentage = percentageOfNodesToScore ?? 0
        if percentage >= 100 { return numAllNodes }
        if percentage <= 0 {
            percentage = max(50 - numAllNodes / 125, Self.minFeasibleNodesPercentageToFind)
        }
        return max(numAllNodes * percentage / 100, Self.minFeasibleNodesToFind)
    }

    static func makeState(for pod: PodInfo, cache: SchedulerCache) -> CycleState {
        var state = CycleState(pod: pod, namespaceLabels: cache.namespaceLabels, imageNodeCounts: cache.imageNodeCounts,
                               totalNodes: cache.nodeCount)
        state.clusterHasAffinityPods = cache.podsWithAffinity > 0
        state.clusterHasRequiredAntiAffinityPods = cache.podsWithRequiredAntiAffinity > 0
        for filter in filters { filter.prepare(&state, nodes: cache.nodes) }
        return state
    }

    static func runFilters(_ state: CycleState, node: NodeInfo) -> Rejection? {
        for filter in filters {
            if let rejection = filter.filter(state, node: node) { return rejection }
        }
        return nil
    }

    /// The node for `pod`, or why there is none.
    mutating func schedule(_ pod: PodInfo, cache: SchedulerCache) -> Result<String, FitFailure> {
        let nodes = cache.nodes
        guard !nodes.isEmpty else { return .failure(FitFailure(numAllNodes: 0, rejections: [:])) }
        let state = Self.makeState(for: pod, cache: cache)

        // A pod that preemption nominated tries its node first.
        if !pod.nominatedNodeName.isEmpty, let node = cache.node(named: pod.nominatedNodeName),
           Self.runFilters(state, node: node) == nil {
            return .success(node.name)
        }

        let wanted = numFeasibleNodesToFind(nodes.count)
        var feasible: [Int] = []
        feasible.reserveCapacity(wanted)
        var rejections: [String: Rejection] = [:]
        var processed = 0
        let start = nextStartNodeIndex % nodes.count
        for offset in 0..<nodes.count {
            let index = (start + offset) % nodes.count
            processed += 1
            if let rejection = Self.runFilters(state, node: nodes[index]) {
                rejections[nodes[index].name] = rejection
            } else {
                feasible.append(index)
                if feasible.count >= wanted { break }
            }
        }
        nextStartNodeIndex = (start + processed) % nodes.count
        guard !feasible.isEmpty else {
            return .failure(FitFailure(numAllNodes: nodes.count, rejections: rejections))
        }
        if feasible.count == 1 { return .success(nodes[feasible[0]].name) }
        let totals = Self.score(state, feasible: feasible, nodes: nodes)
        return .success(nodes[feasible[pickBest(totals)]].name)
    }

    /// Weighted sum of the normalized plugin scores, per feasible node.
    static func score(_ initial: CycleState, feasible: [Int], nodes: [NodeInfo]) -> [Int64] {
        var state = initial
        let feasibleNodes = feasible.map { nodes[$0] }
        for plugin in scores { plugin.prepareScore(&state, feasible: feasibleNodes, all: nodes) }
        var totals = Array(repeating: Int64(0), count: feasible.count)
        var pluginScores = Array(repeating: Int64(0), count: feasible.count)
        for plugin in scores {
            for (position, node) in feasibleNodes.enumerated() { pluginScores[position] = plugin.score(state, node: node) }
            plugin.normalize(&pluginScores, state: state)
            for position in totals.indices { totals[position] += pluginScores[position] * plugin.weight }
        }
        return totals
    }

    /// The position of the highest total; ties go round-robin.
    mutating func pickBest(_ totals: [Int64]) -> Int {
        guard let highest = totals.max() else { return 0 }
        var tied: [Int] = []
        for (position, total) in totals.enumerated() where total == highest { tied.append(position) }
        let choice = tied[tieBreakCounter % tied.count]
        tieBreakCounter &+= 1
        return choice
    }
}
