/// What the plugins computed about one pod for one scheduling cycle.
struct CycleState: Sendable {
    let pod: PodInfo
    /// Namespace labels, for affinity terms with namespace selectors.
    let namespaceLabels: [String: [String: String]]
    let imageNodeCounts: [String: Int]
    var totalNodes: Int
    /// Whether any placed pod carries pod (anti-)affinity / required anti-affinity.
    var clusterHasAffinityPods = true
    var clusterHasRequiredAntiAffinityPods = true
    var topologySpread = TopologySpreadState()
    var topologySpreadScore = TopologySpreadState()
    var interPodAffinity = InterPodAffinityState()
    var interPodAffinityScores: [String: [String: Int64]] = [:]

    init(pod: PodInfo, namespaceLabels: [String: [String: String]] = [:], imageNodeCounts: [String: Int] = [:], totalNodes: Int = 0) {
        self.pod = pod
        self.namespaceLabels = namespaceLabels
        self.imageNodeCounts = imageNodeCounts
        self.totalNodes = totalNodes
    }

    func labels(ofNamespace namespace: String) -> [String: String] { namespaceLabels[namespace] ?? [:] }
}
