import APIModel

/// The scheduler's view of the cluster: every node with the pods on it, including pods the
/// scheduler has assumed onto a node before their binding call returned (so the next cycle
/// already counts them). Owned by the scheduling loop alone, so it needs no lock and a
/// cycle reads it without taking a snapshot.
struct SchedulerCache: Sendable {
    private(set) var nodes: [NodeInfo] = []
    private var indexByName: [String: Int] = [:]
    /// Pod key → the node it is on, and whether it is only assumed.
    private var podNodes: [String: (node: String, assumed: Bool)] = [:]
    /// Pods whose node the cache does not know (yet): added when the node appears.
    private var podsOnUnknownNodes: [String: [PodInfo]] = [:]
    /// Normalized image → number of nodes that have it (image locality's spread factor).
    private(set) var imageNodeCounts: [String: Int] = [:]
    /// Pods in the cache with any pod (anti-)affinity / with required anti-affinity: when
    /// zero, the affinity plugins need not look at other pods at all.
    private(set) var podsWithAffinity = 0
    private(set) var podsWithRequiredAntiAffinity = 0
    /// Namespace labels, for pod affinity terms with namespace selectors.
    var namespaceLabels: [String: [String: String]] = [:]

    init() {}

    var nodeCount: Int { nodes.count }

    func node(named name: String) -> NodeInfo? { indexByName[name].map { nodes[$0] } }
    func nodeIndex(named name: String) -> Int? { indexByName[name] }
    func isAssumed(_ podKey: String) -> Bool { podNodes[podKey]?.assumed ?? false }
    func nodeName(ofPod podKey: String) -> String? { podNodes[podKey]?.node }

    // MARK: Nodes

    mutating func addOrUpdateNode(_ info: NodeInfo) {
        if let index = indexByName[info.name] {
            countImages(of: nodes[index], by: -1)
            nodes[index].updateNode(from: info)
            countImages(of: nodes[index], by: 1)
            return
        }
        var node = info
        // Pods a caller built into the node (tests) count like placed ones.
        for pod in info.pods {
            if pod.hasAffinity { podsWithAffinity += 1 }
            if pod.hasRequiredAntiAffinity { podsWithRequiredAntiAffinity += 1 }
        }
        for pod in podsOnUnknownNodes.removeValue(forKey: info.name) ?? [] { node.addPod(pod) }
        indexByName[info.name] = nodes.count
        nodes.append(node)
        countImages(of: node, by: 1)
    }

    mutating func removeNode(named name: String) {
        guard let index = indexByName.removeValue(forKey: name) else { return }
        countImages(of: nodes[index], by: -1)
        // Pods still bound to a deleted node keep counting if it comes back (the pod GC removes them).
        let orphans = nodes[index].pods.filter { !(podNodes[$0.key]?.assumed ?? false) }
        if !orphans.isEmpty { podsOnUnknownNodes[name] = orphans }
        let last = nodes.count - 1
        if index != last {
            nodes.swapAt(index, last)
            indexByName[nodes[index].name] = index
        }
        nodes.removeLast()
    }

    private mutating func countImages(of node: NodeInfo, by delta: Int) {
        for image in node.imageSizes.keys {
            let count = (imageNodeCounts[image] ?? 0) + delta
            imageNodeCounts[image] = count > 0 ? count : nil
        }
    }

    // MARK: Pods

    /// A pod the apiserver reports bound to `pod.nodeName` (also the confirmation of an
    /// assumed pod).
    mutating func addOrUpdateBoundPod(_ pod: PodInfo) {
        removePod(key: pod.key)
        place(pod, on: pod.nodeName)
        podNodes[pod.key] = (pod.nodeName, false)
    }

    mutating func removePod(key: String) {
        guard let location = podNodes.removeValue(forKey: key) else { return }
        if let index = indexByName[location.node] {
            if let pod = nodes[index].pods.first(where: { $0.key == key }) { uncount(pod) }
            nodes[index].removePod(key: key)
        } else {
            if let pod = podsOnUnknownNodes[location.node]?.first(where: { $0.key == key }) { uncount(pod) }
            podsOnUnknownNodes[location.node]?.removeAll { $0.key == key }
            if podsOnUnknownNodes[location.node]?.isEmpty == true { podsOnUnknownNodes[location.node] = nil }
        }
    }

    /// Puts the pod on the node before the binding call returns.
    mutating func assume(_ pod: PodInfo, on nodeName: String) {
        removePod(key: pod.key)
        place(pod, on: nodeName)
        podNodes[pod.key] = (nodeName, true)
    }

    /// Takes back an assumed pod whose binding failed. A pod already confirmed by the
    /// informer stays.
    mutating func forget(podKey: String) {
        guard podNodes[podKey]?.assumed == true else { return }
        removePod(key: podKey)
    }

    private mutating func uncount(_ pod: PodInfo) {
        if pod.hasAffinity { podsWithAffinity -= 1 }
        if pod.hasRequiredAntiAffinity { podsWithRequiredAntiAffinity -= 1 }
    }

    private mutating func place(_ pod: PodInfo, on nodeName: String) {
        if pod.hasAffinity { podsWithAffinity += 1 }
        if pod.hasRequiredAntiAffinity { podsWithRequiredAntiAffinity += 1 }
        if let index = indexByName[nodeName] {
            nodes[index].addPod(pod)
        } else {
            podsOnUnknownNodes[nodeName, default: []].append(pod)
        }
    }
}
