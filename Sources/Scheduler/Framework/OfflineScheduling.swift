import APIModel

/// The scheduling cycle without the API: nodes and pods as JSON go through the same cache,
/// filters, scores and assume step the scheduler uses, so the benchmark can tell the
/// scheduler's own cost from the apiserver's.
public enum OfflineScheduling {
    /// Schedules `pods` onto `nodes` one by one; returns the node chosen per pod (nil: none).
    public static func schedule(nodes: [JSONValue], pods: [JSONValue], percentageOfNodesToScore: Int? = nil) throws -> [String?] {
        var cache = SchedulerCache()
        for node in nodes { cache.addOrUpdateNode(try NodeInfo(node: node)) }
        var algorithm = SchedulingAlgorithm(percentageOfNodesToScore: percentageOfNodesToScore)
        var placements: [String?] = []
        placements.reserveCapacity(pods.count)
        for object in pods {
            let pod = try PodInfo(object)
            switch algorithm.schedule(pod, cache: cache) {
            case .success(let node):
                cache.assume(pod, on: node)
                placements.append(node)
            case .failure:
                placements.append(nil)
            }
        }
        return placements
    }
}
