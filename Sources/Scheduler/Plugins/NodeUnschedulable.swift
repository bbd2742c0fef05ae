/// A cordoned node (`spec.unschedulable`) takes only pods that tolerate the
/// `node.kubernetes.io/unschedulable:NoSchedule` taint.
struct NodeUnschedulable: FilterPlugin {
    let name = "NodeUnschedulable"
    static let reason = "node(s) were unschedulable"

    func filter(_ state: CycleState, node: NodeInfo) -> Rejection? {
        guard node.unschedulable, !state.pod.tolerations.tolerate(.unschedulable) else { return nil }
        return .unresolvable(Self.reason)
    }
}

/// A pod that names its node (`spec.nodeName`) fits only there.
struct NodeName: FilterPlugin {
    let name = "NodeName"
    static let reason = "node(s) didn't match the requested node name"

    func filter(_ state: CycleState, node: NodeInfo) -> Rejection? {
        let wanted = state.pod.nodeName
        guard !wanted.isEmpty, wanted != node.name else { return nil }
        return .unresolvable(Self.reason)
    }
}

/// Host ports: two pods cannot listen on the same protocol and port of one address
/// (`0.0.0.0` overlaps every address).
struct NodePorts: FilterPlugin {
    let name = "NodePorts"
    static let reason = "node(s) didn't have free ports for the requested pod ports"

    func filter(_ state: CycleState, node: NodeInfo) -> Rejection? {
        for wanted in state.pod.hostPorts {
            if node.usedPorts.contains(where: { $0.conflicts(with: wanted) }) { return .unschedulable(Self.reason) }
        }
        return nil
    }
}
