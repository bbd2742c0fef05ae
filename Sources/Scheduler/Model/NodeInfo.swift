import APIModel

/// A node as the scheduler sees it: what the Node object says (labels, taints, allocatable,
/// images) and what the scheduler has put on it (pods, including assumed ones, their summed
/// requests and host ports). Value type, so a preemption simulation can edit a copy.
struct NodeInfo: Sendable {
    let name: String
    var labels: [String: String]
    var taints: [Taint]
    var unschedulable: Bool
    var allocatable: ResourceAmounts
    /// Normalized image name → size in bytes, from `status.images`.
    var imageSizes: [String: Int64]

    private(set) var pods: [PodInfo] = []
    private(set) var requested = ResourceAmounts()
    private(set) var nonZeroRequested = ResourceAmounts()
    private(set) var usedPorts: [HostPort] = []
    /// How many pods here carry pod (anti-)affinity: the affinity plugins skip nodes without.
    private(set) var podsWithAffinity = 0
    private(set) var podsWithRequiredAntiAffinity = 0

    init(name: String, labels: [String: String] = [:], taints: [Taint] = [], unschedulable: Bool = false,
         allocatable: ResourceAmounts, imageSizes: [String: Int64] = [:]) {
        self.name = name
        self.labels = labels
        self.taints = taints
        self.unschedulable = unschedulable
        self.allocatable = allocatable
        self.imageSizes = imageSizes
    }

    /// Reads a Node object. Allocatable falls back to capacity, as the kubelet would report.
    init(node: JSONValue) throws(SchedulingInputError) {
        let name = node["metadata"]?["name"]?.stringValue ?? ""
        var taints: [Taint] = []
        for taint in node["spec"]?["taints"]?.arrayValue ?? [] { taints.append(try Taint(json: taint)) }
        let status = node["status"]
        let allocatable = try ResourceAmounts(resourceList: status?["allocatable"] ?? status?["capacity"])
        var images: [String: Int64] = [:]
        for image in status?["images"]?.arrayValue ?? [] {
            let size = image["sizeBytes"]?.intValue ?? 0
            for name in image["names"]?.arrayValue ?? [] {
                if let name = name.stringValue { images[ImageNames.normalize(name)] = size }
            }
        }
        self.init(name: name, labels: LabelSelector.labels(of: node), taints: taints,
                  unschedulable: node["spec"]?["unschedulable"]?.boolValue ?? false,
                  allocatable: allocatable, imageSizes: images)
    }

    /// Takes the Node object's fields from `other`, keeping the pods.
    mutating func updateNode(from other: NodeInfo) {
        labels = other.labels
        taints = other.taints
        unschedulable = other.unschedulable
        allocatable = other.allocatable
        imageSizes = other.imageSizes
    }

    mutating func addPod(_ pod: PodInfo) {
        pods.append(pod)
        requested.add(pod.requests)
        nonZeroRequested.add(pod.nonZeroRequests)
        usedPorts.append(contentsOf: pod.hostPorts)
        if pod.hasAffinity { podsWithAffinity += 1 }
        if pod.hasRequiredAntiAffinity { podsWithRequiredAntiAffinity += 1 }
    }

    /// Removes the pod with `key`; returns whether it was there.
    @discardableResult
    mutating func removePod(key: String) -> Bool {
        guard let index = pods.firstIndex(where: { $0.key == key }) else { return false }
        let pod = pods.remove(at: index)
        requested.subtract(pod.requests)
        nonZeroRequested.subtract(pod.nonZeroRequests)
        for port in pod.hostPorts {
            if let used = usedPorts.firstIndex(of: port) { usedPorts.remove(at: used) }
        }
        if pod.hasAffinity { podsWithAffinity -= 1 }
        if pod.hasRequiredAntiAffinity { podsWithRequiredAntiAffinity -= 1 }
        return true
    }
}
