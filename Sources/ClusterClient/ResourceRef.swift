/// Names one API resource the way a URL does: group, version, plural, and whether objects
/// live in a namespace. The client builds every path from this (`/api/v1/namespaces/ns/pods`,
/// `/apis/apps/v1/deployments`), so a component never spells a URL by hand.
public struct ResourceRef: Sendable, Hashable, CustomStringConvertible {
    /// "" for the core group.
    public var group: String
    public var version: String
    public var plural: String
    public var kind: String
    public var namespaced: Bool

    public init(group: String, version: String, plural: String, kind: String, namespaced: Bool) {
        self.group = group
        self.version = version
        self.plural = plural
        self.kind = kind
        self.namespaced = namespaced
    }

    /// `v1` or `apps/v1`, as objects carry it.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    public var description: String { group.isEmpty ? plural : "\(plural).\(group)" }

    public static let namespaces = ResourceRef(group: "", version: "v1", plural: "namespaces", kind: "Namespace", namespaced: false)
    public static let nodes = ResourceRef(group: "", version: "v1", plural: "nodes", kind: "Node", namespaced: false)
    public static let pods = ResourceRef(group: "", version: "v1", plural: "pods", kind: "Pod", namespaced: true)
    public static let services = ResourceRef(group: "", version: "v1", plural: "services", kind: "Service", namespaced: true)
    public static let endpoints = ResourceRef(group: "", version: "v1", plural: "endpoints", kind: "Endpoints", namespaced: true)
    public static let configMaps = ResourceRef(group: "", version: "v1", plural: "configmaps", kind: "ConfigMap", namespaced: true)
    public static let secrets = ResourceRef(group: "", version: "v1", plural: "secrets", kind: "Secret", namespaced: true)
    public static let serviceAccounts = ResourceRef(group: "", version: "v1", plural: "serviceaccounts", kind: "ServiceAccount", namespaced: true)
    public static let events = ResourceRef(group: "", version: "v1", plural: "events", kind: "Event", namespaced: true)
    public static let persistentVolumes = ResourceRef(group: "", version: "v1", plural: "persistentvolumes", kind: "PersistentVolume", namespaced: false)
    public static let persistentVolumeClaims = ResourceRef(group: "", version: "v1", plural: "persistentvolumeclaims", kind: "PersistentVolumeClaim", namespaced: true)
    public static let replicationControllers = ResourceRef(group: "", version: "v1", plural: "replicationcontrollers", kind: "ReplicationController", namespaced: true)
    public static let deployments = ResourceRef(group: "apps", version: "v1", plural: "deployments", kind: "Deployment", namespaced: true)
    public static let replicaSets = ResourceRef(group: "apps", version: "v1", plural: "replicasets", kind: "ReplicaSet", namespaced: true)
    public static let statefulSets = ResourceRef(group: "apps", version: "v1", plural: "statefulsets", kind: "StatefulSet", namespaced: true)
    public static let daemonSets = ResourceRef(group: "apps", version: "v1", plural: "daemonsets", kind: "DaemonSet", namespaced: true)
    public static let controllerRevisions = ResourceRef(group: "apps", version: "v1", plural: "controllerrevisions", kind: "ControllerRevision", namespaced: true)
    public static let jobs = ResourceRef(group: "batch", version: "v1", plural: "jobs", kind: "Job", namespaced: true)
    public static let cronJobs = ResourceRef(group: "batch", version: "v1", plural: "cronjobs", kind: "CronJob", namespaced: true)
    public static let endpointSlices = ResourceRef(group: "discovery.k8s.io", version: "v1", plural: "endpointslices", kind: "EndpointSlice", namespaced: true)
    public static let leases = ResourceRef(group: "coordination.k8s.io", version: "v1", plural: "leases", kind: "Lease", namespaced: true)
    public static let podDisruptionBudgets = ResourceRef(group: "policy", version: "v1", plural: "poddisruptionbudgets", kind: "PodDisruptionBudget", namespaced: true)
    public static let priorityClasses = ResourceRef(group: "scheduling.k8s.io", version: "v1", plural: "priorityclasses", kind: "PriorityClass", namespaced: false)
    public static let storageClasses = ResourceRef(group: "storage.k8s.io", version: "v1", plural: "storageclasses", kind: "StorageClass", namespaced: false)
    public static let eventsV1 = ResourceRef(group: "events.k8s.io", version: "v1", plural: "events", kind: "Event", namespaced: true)
}
