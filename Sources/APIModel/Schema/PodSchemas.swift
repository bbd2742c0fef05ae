/// core/v1 Pod, PodSpec, scheduling constraints and PodStatus.
public enum PodSchemas {
    static let nodeSelectorRequirement: Schema = .obj(core("NodeSelectorRequirement"), "A node selector requirement.", [
        f("key", .str, required: true),
        f("operator", .str, "In, NotIn, Exists, DoesNotExist, Gt or Lt.", required: true),
        f("values", .strings),
    ])

    static let nodeSelectorTerm: Schema = .obj(core("NodeSelectorTerm"), "Requirements ANDed together.", [
        f("matchExpressions", .list(nodeSelectorRequirement), "Requirements on node labels."),
        f("matchFields", .list(nodeSelectorRequirement), "Requirements on node fields."),
    ])

    static let nodeSelector: Schema = .obj(core("NodeSelector"), "Terms ORed together.", [
        f("nodeSelectorTerms", .list(nodeSelectorTerm), required: true),
    ])

    static let preferredSchedulingTerm: Schema = .obj(core("PreferredSchedulingTerm"), "A weighted node preference.", [
        f("weight", .int32, "1-100.", required: true), f("preference", nodeSelectorTerm, required: true),
    ])

    static let nodeAffinity: Schema = .obj(core("NodeAffinity"), "Node affinity scheduling rules.", [
        f("requiredDuringSchedulingIgnoredDuringExecution", nodeSelector, "Hard requirement."),
        f("preferredDuringSchedulingIgnoredDuringExecution", .list(preferredSchedulingTerm), "Soft preferences."),
    ])

    static let podAffinityTerm: Schema = .obj(core("PodAffinityTerm"), "Pods (matched by selector) to be co-located with, per topology domain.", [
        f("labelSelector", MetaSchemas.labelSelector),
        f("namespaces", .strings),
        f("topologyKey", .str, "Node label key defining the domain.", required: true),
        f("namespaceSelector", MetaSchemas.labelSelector),
        f("matchLabelKeys", .strings),
        f("mismatchLabelKeys", .strings),
    ])

    static let weightedPodAffinityTerm: Schema = .obj(core("WeightedPodAffinityTerm"), "A weighted pod affinity term.", [
        f("weight", .int32, required: true), f("podAffinityTerm", podAffinityTerm, required: true),
    ])

    static let podAffinity: Schema = .obj(core("PodAffinity"), "Pod affinity scheduling rules.", [
        f("requiredDuringSchedulingIgnoredDuringExecution", .list(podAffinityTerm)),
        f("preferredDuringSchedulingIgnoredDuringExecution", .list(weightedPodAffinityTerm)),
    ])

    static let podAntiAffinity: Schema = .obj(core("PodAntiAffinity"), "Pod anti-affinity scheduling rules.", [
        f("requiredDuringSchedulingIgnoredDuringExecution", .list(podAffinityTerm)),
        f("preferredDuringSchedulingIgnoredDuringExecution", .list(weightedPodAffinityTerm)),
    ])

    static let affinity: Schema = .obj(core("Affinity"), "Scheduling constraints.", [
        f("nodeAffinity", nodeAffinity), f("podAffinity", podAffinity), f("podAntiAffinity", podAntiAffinity),
    ])

    static let toleration: Schema = .obj(core("Toleration"), "Allows scheduling onto nodes with a matching taint.", [
        f("key", .str, "Taint key; empty matches all keys."),
        f("operator", .str, "Exists or Equal (default)."),
        f("value", .str),
        f("effect", .str, "NoSchedule, PreferNoSchedule or NoExecute; empty matches all."),
        f("tolerationSeconds", .int64, "How long a NoExecute taint is tolerated."),
    ])

    static let topologySpreadConstraint: Schema = .obj(core("TopologySpreadConstraint"), "How to spread matching pods among topology domains.", [
        f("maxSkew", .int32, required: true),
        f("topologyKey", .str, required: true),
        f("whenUnsatisfiable", .str, "DoNotSchedule or ScheduleAnyway.", required: true),
        f("labelSelector", MetaSchemas.labelSelector),
        f("minDomains", .int32),
        f("nodeAffinityPolicy", .str),
        f("nodeTaintsPolicy", .str),
        f("matchLabelKeys", .strings),
    ])

    static let podDNSConfigOption: Schema = .obj(core("PodDNSConfigOption"), "A resolver option.", [
        f("name", .str), f("value", .str),
    ])

    static let podDNSConfig: Schema = .obj(core("PodDNSConfig"), "DNS parameters beyond dnsPolicy.", [
        f("nameservers", .strings), f("searches", .strings), f("options", .list(podDNSConfigOption)),
    ])

    static let hostAlias: Schema = .obj(core("HostAlias"), "An entry for the pod's /etc/hosts.", [
        f("ip", .str, required: true), f("hostnames", .strings),
    ])

    static let sysctl: Schema = .obj(core("Sysctl"), "A kernel parameter.", [
        f("name", .str, required: true), f("value", .str, required: true),
    ])

    static let podSecurityContext: Schema = .obj(core("PodSecurityContext"), "Pod-level security attributes.", [
        f("seLinuxOptions", ContainerSchemas.seLinuxOptions),
        f("windowsOptions", ContainerSchemas.windowsOptions),
        f("runAsUser", .int64), f("runAsGroup", .int64), f("runAsNonRoot", .bool),
        f("supplementalGroups", .list(.int64)),
        f("supplementalGroupsPolicy", .str),
        f("fsGroup", .int64),
        f("sysctls", .list(sysctl)),
        f("fsGroupChangePolicy", .str),
        f("seccompProfile", ContainerSchemas.seccompProfile),
        f("appArmorProfile", ContainerSchemas.appArmorProfile),
        f("seLinuxChangePolicy", .str),
    ])

    static let podReadinessGate: Schema = .obj(core("PodReadinessGate"), "An extra condition for pod readiness.", [
        f("conditionType", .str, required: true),
    ])

    static let podSchedulingGate: Schema = .obj(core("PodSchedulingGate"), "Holds the pod back from scheduling while present.", [
        f("name", .str, required: true),
    ])

    static let podOS: Schema = .obj(core("PodOS"), "The operating system of the pod.", [f("name", .str, required: true)])

    static let podResourceClaim: Schema = .obj(core("PodResourceClaim"), "A dynamic resource claim of the pod.", [
        f("name", .str, required: true), f("resourceClaimName", .str), f("resourceClaimTemplateName", .str),
    ])

    public static let podSpec: Schema = .obj(core("PodSpec"), "The desired behaviour of a pod.", [
        mergeList("volumes", VolumeSchemas.volume, key: "name", "Volumes that containers may mount.", strategy: [.merge, .retainKeys]),
        mergeList("initContainers", ContainerSchemas.container, key: "name", "Containers run in order before the app containers."),
        mergeList("containers", ContainerSchemas.container, key: "name", "The containers of the pod; at least one."),
        mergeList("ephemeralContainers", ContainerSchemas.ephemeralContainer, key: "name", "Debugging containers added to a running pod."),
        f("restartPolicy", .str, "Always, OnFailure or Never; default Always."),
        f("terminationGracePeriodSeconds", .int64, "Seconds to terminate gracefully; default 30."),
        f("activeDeadlineSeconds", .int64, "Seconds the pod may be active before being failed."),
        f("dnsPolicy", .str, "ClusterFirstWithHostNet, ClusterFirst, Default or None."),
        f("nodeSelector", .stringMap, "Node labels the pod's node must have."),
        f("serviceAccountName", .str, "Service account to run as."),
        f("serviceAccount", .str, "Deprecated alias of serviceAccountName."),
        f("automountServiceAccountToken", .bool),
        f("nodeName", .str, "The node the pod is bound to."),
        f("hostNetwork", .bool), f("hostPID", .bool), f("hostIPC", .bool), f("shareProcessNamespace", .bool),
        f("securityContext", podSecurityContext, "Pod-level security attributes."),
        mergeList("imagePullSecrets", ContainerSchemas.localObjectReference, key: "name", "Secrets for pulling images."),
        f("hostname", .str), f("subdomain", .str),
        f("affinity", affinity, "Scheduling constraints."),
        f("schedulerName", .str, "Scheduler to dispatch the pod."),
        f("tolerations", .list(toleration), "Taints the pod tolerates."),
        mergeList("hostAliases", hostAlias, key: "ip", "Extra /etc/hosts entries."),
        f("priorityClassName", .str), f("priority", .int32),
        f("dnsConfig", podDNSConfig),
        f("readinessGates", .list(podReadinessGate)),
        f("runtimeClassName", .str),
        f("enableServiceLinks", .bool, "Inject service environment variables; default true."),
        f("preemptionPolicy", .str),
        f("overhead", .quantityMap),
        mergeList("topologySpreadConstraints", topologySpreadConstraint, key: "topologyKey", "How to spread pods across topology domains.",
                  mapKeys: ["topologyKey", "whenUnsatisfiable"]),
        f("setHostnameAsFQDN", .bool),
        f("os", podOS),
        f("hostUsers", .bool),
        mergeList("schedulingGates", podSchedulingGate, key: "name"),
        mergeList("resourceClaims", podResourceClaim, key: "name", strategy: [.merge, .retainKeys]),
        f("resources", ContainerSchemas.resourceRequirements, "Pod-level resources."),
        f("hostnameOverride", .str),
    ])

    static let podCondition: Schema = .obj(core("PodCondition"), "A condition of a pod.", [
        f("type", .str, required: true), f("status", .str, required: true), f("observedGeneration", .int64),
        f("lastProbeTime", .dateTime), f("lastTransitionTime", .dateTime), f("reason", .str), f("message", .str),
    ])

    static let podIP: Schema = .obj(core("PodIP"), "An IP address of the pod.", [f("ip", .str, required: true)])
    static let hostIP: Schema = .obj(core("HostIP"), "An IP address of the host.", [f("ip", .str, required: true)])

    static let containerStateWaiting: Schema = .obj(core("ContainerStateWaiting"), "A waiting container.", [
        f("reason", .str), f("message", .str),
    ])
    static let containerStateRunning: Schema = .obj(core("ContainerStateRunning"), "A running container.", [
        f("startedAt", .dateTime),
    ])
    static let containerStateTerminated: Schema = .obj(core("ContainerStateTerminated"), "A terminated container.", [
        f("exitCode", .int32, required: true), f("signal", .int32), f("reason", .str), f("message", .str),
        f("startedAt", .dateTime), f("finishedAt", .dateTime), f("containerID", .str),
    ])
    static let containerState: Schema = .obj(core("ContainerState"), "One of waiting, running or terminated.", [
        f("waiting", containerStateWaiting), f("running", containerStateRunning), f("terminated", containerStateTerminated),
    ])

    static let containerStatus: Schema = .obj(core("ContainerStatus"), "The observed state of a container.", [
        f("name", .str, required: true), f("state", containerState), f("lastState", containerState),
        f("ready", .bool, required: true), f("restartCount", .int32, required: true),
        f("image", .str, required: true), f("imageID", .str, required: true), f("containerID", .str),
        f("started", .bool), f("allocatedResources", .quantityMap), f("resources", ContainerSchemas.resourceRequirements),
        f("volumeMounts", .any), f("user", .any), f("allocatedResourcesStatus", .any), f("stopSignal", .str),
    ])

    public static let podStatus: Schema = .obj(core("PodStatus"), "The observed state of a pod.", [
        f("phase", .str, "Pending, Running, Succeeded, Failed or Unknown."),
        f("observedGeneration", .int64),
        mergeList("conditions", podCondition, key: "type", "Current service state of the pod."),
        f("message", .str), f("reason", .str), f("nominatedNodeName", .str),
        f("hostIP", .str), mergeList("hostIPs", hostIP, key: "ip"),
        f("podIP", .str), mergeList("podIPs", podIP, key: "ip"),
        f("startTime", .dateTime),
        f("initContainerStatuses", .list(containerStatus)),
        f("containerStatuses", .list(containerStatus)),
        f("ephemeralContainerStatuses", .list(containerStatus)),
        f("qosClass", .str), f("resize", .str),
        f("resourceClaimStatuses", .any),
    ])

    public static let pod: Schema = .obj(core("Pod"), "A collection of containers that run on a host.", kindFields() + [
        f("spec", podSpec, "Desired behaviour of the pod."),
        f("status", podStatus, "Most recently observed status of the pod."),
    ])

    public static let podTemplateSpec: Schema = .obj(core("PodTemplateSpec"), "Data a pod should have when created from a template.", [
        f("metadata", MetaSchemas.objectMeta, "Metadata of the pods created from this template."),
        f("spec", podSpec, "Specification of the desired behaviour of the pod."),
    ])

    static let binding: Schema = .obj(core("Binding"), "Binds a pod to a node.", kindFields() + [
        f("target", ObjectReference.schema, "The node to bind to.", required: true),
    ])
}

/// core/v1 ObjectReference, used by events, bindings, endpoints and PV claims.
enum ObjectReference {
    static let fields: [Field] = [
        f("kind", .str), f("namespace", .str), f("name", .str), f("uid", .str),
        f("apiVersion", .str), f("resourceVersion", .str), f("fieldPath", .str),
    ]
    static let schema: Schema = .obj(core("ObjectReference"), "A reference to an object.", fields)
}
