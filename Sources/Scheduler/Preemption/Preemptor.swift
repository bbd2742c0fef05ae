/// Preemption (Kubernetes' DefaultPreemption): when a pod fits nowhere, find a node where
/// evicting lower-priority pods would make it fit, evicting as few and as unimportant pods
/// as possible and sparing pods protected by a PodDisruptionBudget where it can.
struct Preemptor: Sendable {
    static let noVictimsReason = "No preemption victims found for incoming pod"
    static let notHelpfulReason = "Preemption is not helpful for scheduling"

    struct Candidate: Sendable {
        var nodeName: String
        /// Most important first.
        var victims: [PodInfo]
        var budgetViolations: Int
    }

    enum Outcome: Sendable {
        case preempt(Candidate)
        /// Nothing to evict; the text follows the filter failure in the pod's message.
        case none(message: String)
    }

    /// Victims are more important when of higher priority, then when started earlier.
    static func moreImportant(_ a: PodInfo, _ b: PodInfo) -> Bool {
        if a.priority != b.priority { return a.priority > b.priority }
        return a.startTime < b.startTime
    }

    static func preempt(_ pod: PodInfo, cache: SchedulerCache, failure: FitFailure, budgets: [DisruptionBudget]) -> Outcome {
        guard pod.preemptsOthers else {
            return .none(message: "preemption: not eligible due to preemptionPolicy=Never.")
        }
        // A pod already nominated to a node where lower-priority pods are terminating waits for them.
        if !pod.nominatedNodeName.isEmpty, let node = cache.node(named: pod.nominatedNodeName),
           node.pods.contains(where: { $0.isTerminating && $0.priority < pod.priority }) {
            return .none(message: "preemption: not eligible due to a terminating pod on the nominated node.")
        }
        let baseState = SchedulingAlgorithm.makeState(for: pod, cache: cache)
        let needsFreshState = !pod.topologySpread.isEmpty || !pod.podAffinity.isEmpty || baseState.interPodAffinity.active
        var reasons: [String] = []
        var candidates: [Candidate] = []
        for index in cache.nodes.indices {
            let node = cache.nodes[index]
            guard let rejection = failure.rejections[node.name], rejection.resolvable else {
                reasons.append(Self.notHelpfulReason)
                continue
            }
            if let candidate = victims(for: pod, nodeIndex: index, cache: cache, baseState: baseState,
                                       needsFreshState: needsFreshState, budgets: budgets) {
                candidates.append(candidate)
            } else {
                reasons.append(Self.noVictimsReason)
            }
        }
        guard let best = pickCandidate(candidates) else {
            let histogram = FitFailure.histogram(reasons)
            return .none(message: "preemption: 0/\(cache.nodeCount) nodes are available: " + histogram.joined(separator: ", ") + ".")
        }
        return .preempt(best)
    }

    /// The fewest, least important pods on the node whose removal lets the pod fit.
    static func victims(for pod: PodInfo, nodeIndex: Int, cache: SchedulerCache, baseState: CycleState,
                        needsFreshState: Bool, budgets: [DisruptionBudget]) -> Candidate? {
        var nodes = cache.nodes
        var node = nodes[nodeIndex]
        let lower = node.pods.filter { $0.priority < pod.priority && $0.key != pod.key }
        guard !lower.isEmpty else { return nil }
        for victim in lower { node.removePod(key: victim.key) }
        func fits(_ node: NodeInfo) -> Bool {
            if !needsFreshState { return SchedulingAlgorithm.runFilters(baseState, node: node) == nil }
            nodes[nodeIndex] = node
            var state = CycleState(pod: pod, namespaceLabels: cache.namespaceLabels, imageNodeCounts: cache.imageNodeCounts,
                                   totalNodes: nodes.count)
            for filter in SchedulingAlgorithm.filters { filter.prepare(&state, nodes: nodes) }
            return SchedulingAlgorithm.runFilters(state, node: node) == nil
        }
        guard fits(node) else { return nil }

        let ordered = lower.sorted(by: moreImportant)
        var remaining = budgets
        var violating: [PodInfo] = []
        var harmless: [PodInfo] = []
        for victim in ordered {
            var violates = false
            for index in remaining.indices where remaining[index].covers(victim) && !remaining[index].disruptedPods.contains(victim.name) {
                remaining[index].disruptionsAllowed -= 1
                if remaining[index].disruptionsAllowed < 0 { violates = true }
            }
            if violates { violating.append(victim) } else { harmless.append(victim) }
        }
        var victims: [PodInfo] = []
        var violations = 0
        for (group, isViolating) in [(violating, true), (harmless, false)] {
            for candidate in group {
                node.addPod(candidate)
                if !fits(node) {
                    node.removePod(key: candidate.key)
                    victims.append(candidate)
                    if isViolating { violations += 1 }
                }
            }
        }
        guard !victims.isEmpty else { return nil }
        return Candidate(nodeName: node.name, victims: victims.sorted(by: moreImportant), budgetViolations: violations)
    }

    /// Fewest budget violations, then the lowest most-important victim, then the smallest
    /// sum of priorities, then the fewest victims, then the first found.
    static func pickCandidate(_ candidates: [Candidate]) -> Candidate? {
        func key(_ candidate: Candidate) -> (Int, Int64, Int64, Int) {
            let highest = candidate.victims.first?.priority ?? Int64.min
            // Shifted so negative priorities still add up to a positive, comparable sum.
            let sum = candidate.victims.reduce(Int64(0)) { $0 + $1.priority + Int64(Int32.max) + 1 }
            return (candidate.budgetViolations, highest, sum, candidate.victims.count)
        }
        return candidates.min { key($0) < key($1) }
    }
}
