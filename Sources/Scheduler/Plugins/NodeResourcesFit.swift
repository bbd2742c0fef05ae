/// Requests against what is left of the node's allocatable: cpu, memory, ephemeral
/// storage, the pod count and every extended resource. Every shortage is named, as
/// Kubernetes does ("Insufficient cpu", "Too many pods").
struct NodeResourcesFit: FilterPlugin, ScorePlugin {
    let name = "NodeResourcesFit"
    let weight: Int64 = 1

    func filter(_ state: CycleState, node: NodeInfo) -> Rejection? {
        let request = state.pod.requests
        let allocatable = node.allocatable
        let used = node.requested
        var reasons: [String] = []
        if used.pods + 1 > allocatable.pods { reasons.append("Too many pods") }
        if request.milliCPU > 0 && request.milliCPU > allocatable.milliCPU - used.milliCPU { reasons.append("Insufficient cpu") }
        if request.memory > 0 && request.memory > allocatable.memory - used.memory { reasons.append("Insufficient memory") }
        if request.ephemeralStorage > 0 && request.ephemeralStorage > allocatable.ephemeralStorage - used.ephemeralStorage {
            reasons.append("Insufficient ephemeral-storage")
        }
        if !request.scalars.isEmpty {
            for (resource, amount) in request.scalars.sorted(by: { $0.key < $1.key }) where amount > 0 {
                if amount > (allocatable.scalars[resource] ?? 0) - (used.scalars[resource] ?? 0) {
                    reasons.append("Insufficient \(resource)")
                }
            }
        }
        return reasons.isEmpty ? nil : Rejection(reasons: reasons, resolvable: true)
    }

    /// LeastAllocated: the share of cpu and memory still free after placing the pod
    /// (weights 1 and 1), counted with the non-zero requests.
    func score(_ state: CycleState, node: NodeInfo) -> Int64 {
        let cpu = Self.leastAllocated(requested: node.nonZeroRequested.milliCPU + state.pod.nonZeroRequests.milliCPU,
                                      capacity: node.allocatable.milliCPU)
        let memory = Self.leastAllocated(requested: node.nonZeroRequested.memory + state.pod.nonZeroRequests.memory,
                                         capacity: node.allocatable.memory)
        return (cpu + memory) / 2
    }

    static func leastAllocated(requested: Int64, capacity: Int64) -> Int64 {
        guard capacity > 0, requested <= capacity else { return 0 }
        return (capacity - requested) * maxNodeScore / capacity
    }
}

/// BalancedAllocation: nodes whose cpu and memory would be used in similar proportions
/// score higher (1 − the standard deviation of the two fractions), counted with the actual
/// requests.
struct BalancedAllocation: ScorePlugin {
    let name = "NodeResourcesBalancedAllocation"
    let weight: Int64 = 1

    func score(_ state: CycleState, node: NodeInfo) -> Int64 {
        func fraction(_ requested: Int64, _ capacity: Int64) -> Double {
            guard capacity > 0 else { return 1 }
            return min(1, Double(requested) / Double(capacity))
        }
        let cpu = fraction(node.requested.milliCPU + state.pod.requests.milliCPU, node.allocatable.milliCPU)
        let memory = fraction(node.requested.memory + state.pod.requests.memory, node.allocatable.memory)
        let deviation = abs(cpu - memory) / 2
        return Int64((1 - deviation) * Double(maxNodeScore))
    }
}
