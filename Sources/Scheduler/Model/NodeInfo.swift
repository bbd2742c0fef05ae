import APIModel

/// A node as the scheduler sees it: what the Node object says (labels, taints, allocatable,
/// images) and what the scheduler has put on it (pods, including assumed ones, their summed
/// requests and host ports). Value type, so a preemption simulation can edit a copy.
struct NodeInfo: Sendable {
    /// The fields live in one copy-on-write box, so handing a node to a plugin or copying it
    /// into a list of feasible nodes costs one retain rather than one per field.
    private final class Storage: @unchecked Sendable {
        // @unchecked: a Storage is mutated only through NodeInfo's mutating accessors, which
        // first make it unique (copy-on-write); a box shared between NodeInfo values or
        // threads is therefore never written.
        var labels: [String: String]
        var taints: [Taint]
        var unschedulable: Bool
        var allocatable: ResourceAmounts
        var imageSizes: [String: Int64]
        var pods: [PodInfo] = []
        var requested = ResourceAmounts()
        var nonZeroRequested = ResourceAmounts()
        var usedPorts: [HostPort] = []
        var podsWithAffinity = 0
        var podsWithRequiredAntiAffinity = 0

        init(labels: [String: String], taints: [Taint], unschedulable: Bool, allocatable: ResourceAmounts, imageSizes: [String: Int64]) {
            self.labels = labels
            self.taints = taints
            self.unschedulable = unschedulable
            self.allocatable = allocatable
            self.imageSizes = imageSizes
        }

        func copy() -> Storage {
            let copy = Storage(labels: labels, taints: taints, unschedulable: unschedulable, allocatable: allocatable, imageSizes: imageSizes)
            copy.pods = pods
            copy.requested = requested
            copy.nonZeroRequested = nonZeroRequested
            copy.usedPorts = usedPorts
            copy.podsWithAffinity = podsWithAffinity
            copy.podsWithRequiredAntiAffinity = podsWithRequiredAntiAffinity
            return copy
        }
    }

    let name: String
    private var storage: Storage

    private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return storage
    }

    var labels: [String: String] {
        get { storage.labels }
        set { unique().labels = newValue }
    }
    var taints: [Taint] {
        get { storage.taints }
        set { unique().taints = newValue }
    }
    var unschedulable: Bool {
        get { storage.unschedulable }
        set { unique().unschedulable = newValue }
    }
    var allocatable: ResourceAmounts {
        get { storage.allocatable }
        set { unique().allocatable = newValue }
    }
    /// Normalized image name → size in bytes, from `status.images`.
    var imageSizes: [String: Int64] {
        get { storage.imageSizes }
        set { unique().imageSizes = newValue }
    }
    var pods: [PodInfo] { storage.pods }
    var requested: ResourceAmounts { storage.requested }
    var nonZeroRequested: ResourceAmounts { storage.nonZeroRequested }
    var usedPorts: [HostPort] { storage.usedPorts }
    /// How many pods here carry pod (anti-)affinity: the affinity plugins skip nodes without.
    var podsWithAffinity: Int { storage.podsWithAffinity }
    var podsWithRequiredAntiAffinity: Int { storage.podsWithRequiredAntiAffinity }

    init(name: String, labels: [String: String] = [:], taints: [Taint] = [], unschedulable: Bool = false,
         allocatable: ResourceAmounts, imageSizes: [String: Int64] = [:]) {
        self.name = name
        storage = Storage(labels: labels, taints: taints, unschedulable: unschedulable, allocatable: allocatable, imageSizes: imageSizes)
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
        let storage = unique()
        storage.pods.append(pod)
        storage.requested.add(pod.requests)
        storage.nonZeroRequested.add(pod.nonZeroRequests)
        storage.usedPorts.append(contentsOf: pod.hostPorts)
        if pod.hasAffinity { storage.podsWithAffinity += 1 }
        if pod.hasRequiredAntiAffinity { storage.podsWithRequiredAntiAffinity += 1 }
    }

    /// Removes the pod with `key`; returns whether it was there.
    @discardableResult
    mutating func removePod(key: String) -> Bool {
        guard let index = storage.pods.firstIndex(where: { $0.key == key }) else { return false }
        let storage = unique()
        let pod = storage.pods.remove(at: index)
        storage.requested.subtract(pod.requests)
        storage.nonZeroRequested.subtract(pod.nonZeroRequests)
        for port in pod.hostPorts {
            if let used = storage.usedPorts.firstIndex(of: port) { storage.usedPorts.remove(at: used) }
        }
        if pod.hasAffinity { storage.podsWithAffinity -= 1 }
        if pod.hasRequiredAntiAffinity { storage.podsWithRequiredAntiAffinity -= 1 }
        return true
    }
}
