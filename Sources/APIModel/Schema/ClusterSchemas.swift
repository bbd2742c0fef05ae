/// Kinds of the smaller groups: coordination, discovery, events, policy, scheduling, storage,
/// autoscaling.
public enum ClusterSchemas {
    public static let lease: Schema = .obj("io.k8s.api.coordination.v1.Lease", "A lease for leader election or heartbeats.", kindFields() + [
        f("spec", .obj("io.k8s.api.coordination.v1.LeaseSpec", "Desired state of a lease.", [
            f("holderIdentity", .str), f("leaseDurationSeconds", .int32),
            f("acquireTime", .dateTime), f("renewTime", .dateTime), f("leaseTransitions", .int32),
            f("strategy", .str), f("preferredHolder", .str),
        ])),
    ])

    /// An immutable snapshot of a StatefulSet's or DaemonSet's template, one per revision.
    public static let controllerRevision: Schema = .obj("io.k8s.api.apps.v1.ControllerRevision",
                                                         "An immutable snapshot of state data, one per revision of a controller.", kindFields() + [
        f("data", .any, "The serialized state of this revision."),
        f("revision", .int64, "The revision number this snapshot represents.", required: true),
    ])

    static let endpoint: Schema = .obj("io.k8s.api.discovery.v1.Endpoint", "A single logical backend.", [
        f("addresses", .array(ArraySchema(items: .str, listType: .set)), required: true),
        f("conditions", .obj("io.k8s.api.discovery.v1.EndpointConditions", "Endpoint state.", [
            f("ready", .bool), f("serving", .bool), f("terminating", .bool),
        ])),
        f("hostname", .str), f("targetRef", ObjectReference.schema), f("deprecatedTopology", .stringMap),
        f("nodeName", .str), f("zone", .str), f("hints", .any),
    ])

    public static let endpointSlice: Schema = .obj("io.k8s.api.discovery.v1.EndpointSlice", "A subset of the endpoints of a service.", kindFields() + [
        f("addressType", .str, "IPv4, IPv6 or FQDN.", required: true),
        f("endpoints", .list(endpoint), required: true),
        f("ports", .list(.obj("io.k8s.api.discovery.v1.EndpointPort", "A port of an endpoint slice.", [
            f("name", .str), f("protocol", .str), f("port", .int32), f("appProtocol", .str),
        ]))),
    ])

    public static let eventsV1Event: Schema = .obj("io.k8s.api.events.v1.Event", "A report of an event somewhere in the cluster.", kindFields() + [
        f("eventTime", .dateTime, required: true),
        f("series", .obj("io.k8s.api.events.v1.EventSeries", "A series of repeated events.", [
            f("count", .int32, required: true), f("lastObservedTime", .dateTime, required: true),
        ])),
        f("reportingController", .str), f("reportingInstance", .str), f("action", .str), f("reason", .str),
        f("regarding", ObjectReference.schema), f("related", ObjectReference.schema), f("note", .str), f("type", .str),
        f("deprecatedSource", .obj(core("EventSource"), "The component reporting an event.", [f("component", .str), f("host", .str)])),
        f("deprecatedFirstTimestamp", .dateTime), f("deprecatedLastTimestamp", .dateTime), f("deprecatedCount", .int32),
    ])

    public static let podDisruptionBudget: Schema = .obj("io.k8s.api.policy.v1.PodDisruptionBudget", "Limits voluntary disruption of a set of pods.", kindFields() + [
        f("spec", .obj("io.k8s.api.policy.v1.PodDisruptionBudgetSpec", "Desired state of a budget.", [
            f("minAvailable", .intOrString), f("selector", MetaSchemas.labelSelector, strategy: .replace),
            f("maxUnavailable", .intOrString), f("unhealthyPodEvictionPolicy", .str),
        ])),
        f("status", .obj("io.k8s.api.policy.v1.PodDisruptionBudgetStatus", "Observed state of a budget.", [
            f("observedGeneration", .int64), f("disruptedPods", .map(.dateTime)),
            f("disruptionsAllowed", .int32, required: true), f("currentHealthy", .int32, required: true),
            f("desiredHealthy", .int32, required: true), f("expectedPods", .int32, required: true),
            mergeList("conditions", CoreSchemas.condition, key: "type"),
        ])),
    ])

    public static let eviction: Schema = .obj("io.k8s.api.policy.v1.Eviction", "Evicts a pod, subject to disruption budgets.", kindFields("Object metadata naming the pod.") + [
        f("deleteOptions", MetaSchemas.deleteOptions),
    ])

    public static let priorityClass: Schema = .obj("io.k8s.api.scheduling.v1.PriorityClass", "Maps a class name to a pod priority.", kindFields() + [
        f("value", .int32, "The priority.", required: true),
        f("globalDefault", .bool), f("description", .str),
        f("preemptionPolicy", .str, "Never or PreemptLowerPriority (default)."),
    ])

    public static let storageClass: Schema = .obj("io.k8s.api.storage.v1.StorageClass", "A class of dynamically provisioned volumes.", kindFields() + [
        f("provisioner", .str, required: true),
        f("parameters", .stringMap), f("reclaimPolicy", .str), f("mountOptions", .strings),
        f("allowVolumeExpansion", .bool), f("volumeBindingMode", .str),
        f("allowedTopologies", .list(.obj(core("TopologySelectorTerm"), "A topology selector term.", [
            f("matchLabelExpressions", .list(.obj(core("TopologySelectorLabelRequirement"), "A topology requirement.", [
                f("key", .str, required: true), f("values", .strings, required: true),
            ]))),
        ]))),
    ])

    public static let scale: Schema = .obj("io.k8s.api.autoscaling.v1.Scale", "A scaling request for a resource.", kindFields() + [
        f("spec", .obj("io.k8s.api.autoscaling.v1.ScaleSpec", "Desired scale.", [f("replicas", .int32, "Desired number of instances.")])),
        f("status", .obj("io.k8s.api.autoscaling.v1.ScaleStatus", "Current scale.", [
            f("replicas", .int32, required: true), f("selector", .str, "Label selector in string form."),
        ])),
    ])
}
