/// Every resource skiff serves, in discovery order. Feeds discovery, routing, storage keys,
/// validation, defaulting and OpenAPI.
public enum ResourceRegistry {
    static let standardVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    static let statusVerbs = ["get", "patch", "update"]

    static func gvk(_ group: String, _ version: String, _ kind: String) -> GroupVersionKind {
        GroupVersionKind(group: group, version: version, kind: kind)
    }

    static let scaleKind = gvk("autoscaling", "v1", "Scale")

    static func status(_ kind: GroupVersionKind) -> SubresourceInfo {
        SubresourceInfo(name: "status", kind: kind, verbs: statusVerbs)
    }

    static func scale() -> SubresourceInfo { SubresourceInfo(name: "scale", kind: scaleKind, verbs: statusVerbs) }

    static func resource(_ gvk: GroupVersionKind, _ plural: String, namespaced: Bool = true, short: [String] = [],
                         all: Bool = false, verbs: [String] = standardVerbs, sub: [SubresourceInfo] = [],
                         status: Bool = false, scale: Bool = false, schema: Schema) -> ResourceInfo
    {
        var subs = sub
        if status { subs.insert(Self.status(gvk), at: 0) }
        if scale { subs.append(Self.scale()) }
        return ResourceInfo(gvk: gvk, plural: plural, singular: gvk.kind.lowercased(), namespaced: namespaced,
                            shortNames: short, categories: all ? ["all"] : [], verbs: verbs, subresources: subs, schema: schema)
    }

    public static let all: [ResourceInfo] = {
        let pod = gvk("", "v1", "Pod")
        let podSubresources = [
            SubresourceInfo(name: "binding", kind: gvk("", "v1", "Binding"), verbs: ["create"]),
            SubresourceInfo(name: "eviction", kind: gvk("policy", "v1", "Eviction"), verbs: ["create"]),
            SubresourceInfo(name: "ephemeralcontainers", kind: pod, verbs: statusVerbs),
            SubresourceInfo(name: "log", kind: pod, verbs: ["get"]),
            SubresourceInfo(name: "exec", kind: gvk("", "v1", "PodExecOptions"), verbs: ["create", "get"]),
            SubresourceInfo(name: "attach", kind: gvk("", "v1", "PodAttachOptions"), verbs: ["create", "get"]),
            SubresourceInfo(name: "portforward", kind: gvk("", "v1", "PodPortForwardOptions"), verbs: ["create", "get"]),
            SubresourceInfo(name: "proxy", kind: gvk("", "v1", "PodProxyOptions"), verbs: ["create", "delete", "get", "patch", "update"]),
        ]
        return [
            // core/v1
            resource(gvk("", "v1", "Namespace"), "namespaces", namespaced: false, short: ["ns"],
                     verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
                     sub: [SubresourceInfo(name: "finalize", kind: gvk("", "v1", "Namespace"), verbs: ["update"])],
                     status: true, schema: CoreSchemas.namespace),
            resource(pod, "pods", short: ["po"], all: true, sub: podSubresources, status: true, schema: PodSchemas.pod),
            resource(gvk("", "v1", "Service"), "services", short: ["svc"], all: true,
                     sub: [SubresourceInfo(name: "proxy", kind: gvk("", "v1", "ServiceProxyOptions"), verbs: ["create", "delete", "get", "patch", "update"])],
                     status: true, schema: CoreSchemas.service),
            resource(gvk("", "v1", "Endpoints"), "endpoints", short: ["ep"], schema: CoreSchemas.endpoints),
            resource(gvk("", "v1", "ConfigMap"), "configmaps", short: ["cm"], schema: CoreSchemas.configMap),
            resource(gvk("", "v1", "Secret"), "secrets", schema: CoreSchemas.secret),
            resource(gvk("", "v1", "Node"), "nodes", namespaced: false, short: ["no"],
                     sub: [SubresourceInfo(name: "proxy", kind: gvk("", "v1", "NodeProxyOptions"), verbs: ["create", "delete", "get", "patch", "update"])],
                     status: true, schema: CoreSchemas.node),
            resource(gvk("", "v1", "Event"), "events", short: ["ev"], schema: CoreSchemas.event),
            resource(gvk("", "v1", "ServiceAccount"), "serviceaccounts", short: ["sa"],
                     sub: [SubresourceInfo(name: "token", kind: gvk("authentication.k8s.io", "v1", "TokenRequest"), verbs: ["create"])],
                     schema: CoreSchemas.serviceAccount),
            resource(gvk("", "v1", "PersistentVolume"), "persistentvolumes", namespaced: false, short: ["pv"], status: true,
                     schema: CoreSchemas.persistentVolume),
            resource(gvk("", "v1", "PersistentVolumeClaim"), "persistentvolumeclaims", short: ["pvc"], status: true,
                     schema: CoreSchemas.persistentVolumeClaim),
            resource(gvk("", "v1", "ReplicationController"), "replicationcontrollers", short: ["rc"], all: true,
                     status: true, scale: true, schema: CoreSchemas.replicationController),
            // apps/v1
            resource(gvk("apps", "v1", "Deployment"), "deployments", short: ["deploy"], all: true, status: true, scale: true,
                     schema: WorkloadSchemas.deployment),
            resource(gvk("apps", "v1", "ReplicaSet"), "replicasets", short: ["rs"], all: true, status: true, scale: true,
                     schema: WorkloadSchemas.replicaSet),
            resource(gvk("apps", "v1", "StatefulSet"), "statefulsets", short: ["sts"], all: true, status: true, scale: true,
                     schema: WorkloadSchemas.statefulSet),
            resource(gvk("apps", "v1", "DaemonSet"), "daemonsets", short: ["ds"], all: true, status: true,
                     schema: WorkloadSchemas.daemonSet),
            resource(gvk("apps", "v1", "ControllerRevision"), "controllerrevisions", schema: ClusterSchemas.controllerRevision),
            // batch/v1
            resource(gvk("batch", "v1", "Job"), "jobs", all: true, status: true, schema: WorkloadSchemas.job),
            resource(gvk("batch", "v1", "CronJob"), "cronjobs", short: ["cj"], all: true, status: true, schema: WorkloadSchemas.cronJob),
            // smaller groups
            resource(gvk("coordination.k8s.io", "v1", "Lease"), "leases", schema: ClusterSchemas.lease),
            resource(gvk("discovery.k8s.io", "v1", "EndpointSlice"), "endpointslices", schema: ClusterSchemas.endpointSlice),
            resource(gvk("events.k8s.io", "v1", "Event"), "events", short: ["ev"], schema: ClusterSchemas.eventsV1Event),
            resource(gvk("policy", "v1", "PodDisruptionBudget"), "poddisruptionbudgets", short: ["pdb"], status: true,
                     schema: ClusterSchemas.podDisruptionBudget),
            resource(gvk("scheduling.k8s.io", "v1", "PriorityClass"), "priorityclasses", namespaced: false, short: ["pc"],
                     schema: ClusterSchemas.priorityClass),
            resource(gvk("storage.k8s.io", "v1", "StorageClass"), "storageclasses", namespaced: false, short: ["sc"],
                     schema: ClusterSchemas.storageClass),
        ]
    }()

    /// Kinds that are not resources of their own but travel as request or response bodies.
    public static let bodyKinds: [(GroupVersionKind, Schema)] = [
        (gvk("autoscaling", "v1", "Scale"), ClusterSchemas.scale),
        (gvk("policy", "v1", "Eviction"), ClusterSchemas.eviction),
        (gvk("", "v1", "Binding"), PodSchemas.binding),
        (gvk("meta.k8s.io", "v1", "Status"), MetaSchemas.status),
        (gvk("meta.k8s.io", "v1", "DeleteOptions"), MetaSchemas.deleteOptions),
        (gvk("meta.k8s.io", "v1", "Table"), MetaSchemas.table),
    ]

    private static let byGroupVersionPlural: [String: ResourceInfo] = {
        var map: [String: ResourceInfo] = [:]
        for r in all { map["\(r.group)/\(r.version)/\(r.plural)"] = r }
        return map
    }()

    /// The resource served at `/api/v1/<plural>` (group "") or `/apis/<group>/<version>/<plural>`.
    public static func resource(group: String, version: String, plural: String) -> ResourceInfo? {
        byGroupVersionPlural["\(group)/\(version)/\(plural)"]
    }

    /// The resource of an object's `apiVersion` and `kind`.
    public static func resource(apiVersion: String, kind: String) -> ResourceInfo? {
        let gv = GroupVersion(apiVersion: apiVersion)
        return all.first { $0.group == gv.group && $0.version == gv.version && $0.kind == kind }
    }

    public static func resource(for gvk: GroupVersionKind) -> ResourceInfo? {
        all.first { $0.gvk == gvk }
    }

    /// The schema of any kind skiff knows, resources and body kinds alike.
    public static func schema(for gvk: GroupVersionKind) -> Schema? {
        if let r = resource(for: gvk) { return r.schema }
        return bodyKinds.first { $0.0 == gvk }?.1
    }

    /// Served group-versions in discovery order (core first).
    public static var groupVersions: [GroupVersion] {
        var seen: [GroupVersion] = []
        for r in all where !seen.contains(r.groupVersion) { seen.append(r.groupVersion) }
        return seen
    }

    public static func resources(in groupVersion: GroupVersion) -> [ResourceInfo] {
        all.filter { $0.groupVersion == groupVersion }
    }
}
