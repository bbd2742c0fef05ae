/// core/v1 kinds other than Pod.
public enum CoreSchemas {
    /// meta/v1 Condition, the standard condition shape of newer APIs.
    static let condition: Schema = .obj(meta("Condition"), "One aspect of the current state of a resource.", [
        f("type", .str, required: true), f("status", .str, "True, False or Unknown.", required: true),
        f("observedGeneration", .int64), f("lastTransitionTime", .dateTime, required: true),
        f("reason", .str, required: true), f("message", .str, required: true),
    ])

    // MARK: Namespace

    public static let namespace: Schema = .obj(core("Namespace"), "A scope for names.", kindFields() + [
        f("spec", .obj(core("NamespaceSpec"), "Desired state of a namespace.", [
            f("finalizers", .strings, "Must be empty before the namespace is removed from storage."),
        ])),
        f("status", .obj(core("NamespaceStatus"), "Observed state of a namespace.", [
            f("phase", .str, "Active or Terminating."),
            mergeList("conditions", .obj(core("NamespaceCondition"), "A namespace condition.", [
                f("type", .str, required: true), f("status", .str, required: true),
                f("lastTransitionTime", .dateTime), f("reason", .str), f("message", .str),
            ]), key: "type"),
        ])),
    ])

    // MARK: Service

    static let servicePort: Schema = .obj(core("ServicePort"), "A port of a service.", [
        f("name", .str, "DNS label; required when there is more than one port."),
        f("protocol", .str, "TCP, UDP or SCTP; default TCP."),
        f("appProtocol", .str),
        f("port", .int32, "The port exposed by the service.", required: true),
        f("targetPort", .intOrString, "Port number or name on the pods; default: port."),
        f("nodePort", .int32, "Port on each node for NodePort and LoadBalancer services."),
    ])

    static let loadBalancerIngress: Schema = .obj(core("LoadBalancerIngress"), "An ingress point of a load balancer.", [
        f("ip", .str), f("hostname", .str), f("ipMode", .str), f("ports", .list(.any)),
    ])

    public static let service: Schema = .obj(core("Service"), "A named abstraction of software service: a port and a selector of pods.", kindFields() + [
        f("spec", .obj(core("ServiceSpec"), "Desired behaviour of a service.", [
            mergeList("ports", servicePort, key: "port", "Ports exposed by the service.", mapKeys: ["port", "protocol"]),
            f("selector", .stringMap, "Pods with these labels receive the traffic."),
            f("clusterIP", .str, "Virtual IP; None for a headless service."),
            f("clusterIPs", .strings),
            f("type", .str, "ClusterIP, NodePort, LoadBalancer or ExternalName."),
            f("externalIPs", .strings),
            f("sessionAffinity", .str, "ClientIP or None."),
            f("loadBalancerIP", .str),
            f("loadBalancerSourceRanges", .strings),
            f("externalName", .str),
            f("externalTrafficPolicy", .str, "Cluster or Local."),
            f("healthCheckNodePort", .int32),
            f("publishNotReadyAddresses", .bool),
            f("sessionAffinityConfig", .obj(core("SessionAffinityConfig"), "Session affinity settings.", [
                f("clientIP", .obj(core("ClientIPConfig"), "ClientIP affinity settings.", [f("timeoutSeconds", .int32)])),
            ])),
            f("ipFamilies", .strings),
            f("ipFamilyPolicy", .str, "SingleStack, PreferDualStack or RequireDualStack."),
            f("allocateLoadBalancerNodePorts", .bool),
            f("loadBalancerClass", .str),
            f("internalTrafficPolicy", .str, "Cluster or Local."),
            f("trafficDistribution", .str),
        ])),
        f("status", .obj(core("ServiceStatus"), "Observed state of a service.", [
            f("loadBalancer", .obj(core("LoadBalancerStatus"), "Load balancer state.", [f("ingress", .list(loadBalancerIngress))])),
            mergeList("conditions", condition, key: "type"),
        ])),
    ])

    // MARK: Endpoints

    static let endpointAddress: Schema = .obj(core("EndpointAddress"), "A single endpoint IP.", [
        f("ip", .str, required: true), f("hostname", .str), f("nodeName", .str), f("targetRef", ObjectReference.schema),
    ])

    static let endpointPort: Schema = .obj(core("EndpointPort"), "A port of an endpoint.", [
        f("name", .str), f("port", .int32, required: true), f("protocol", .str), f("appProtocol", .str),
    ])

    public static let endpoints: Schema = .obj(core("Endpoints"), "The endpoints that implement a service.", kindFields() + [
        f("subsets", .list(.obj(core("EndpointSubset"), "Addresses sharing a set of ports.", [
            f("addresses", .list(endpointAddress), "Ready addresses."),
            f("notReadyAddresses", .list(endpointAddress), "Addresses not ready."),
            f("ports", .list(endpointPort)),
        ]))),
    ])

    // MARK: ConfigMap and Secret

    public static let configMap: Schema = .obj(core("ConfigMap"), "Configuration data for pods.", kindFields() + [
        f("data", .stringMap, "UTF-8 configuration data."),
        f("binaryData", .map(.bytes), "Binary configuration data, base64-encoded."),
        f("immutable", .bool, "If true, the data cannot be updated."),
    ])

    public static let secret: Schema = .obj(core("Secret"), "Secret data of a certain type.", kindFields() + [
        f("data", .map(.bytes), "Secret data, base64-encoded."),
        f("stringData", .stringMap, "Write-only convenience: merged into data on write."),
        f("type", .str, "Used to facilitate programmatic handling; default Opaque."),
        f("immutable", .bool),
    ])

    // MARK: Node

    static let taint: Schema = .obj(core("Taint"), "Repels pods that do not tolerate it.", [
        f("key", .str, required: true), f("value", .str),
        f("effect", .str, "NoSchedule, PreferNoSchedule or NoExecute.", required: true),
        f("timeAdded", .dateTime),
    ])

    static let nodeCondition: Schema = .obj(core("NodeCondition"), "A condition of a node.", [
        f("type", .str, required: true), f("status", .str, required: true),
        f("lastHeartbeatTime", .dateTime), f("lastTransitionTime", .dateTime), f("reason", .str), f("message", .str),
    ])

    public static let node: Schema = .obj(core("Node"), "A worker node.", kindFields() + [
        f("spec", .obj(core("NodeSpec"), "Desired state of a node.", [
            f("podCIDR", .str), f("podCIDRs", .array(ArraySchema(items: .str, listType: .set)), strategy: .merge),
            f("providerID", .str),
            f("unschedulable", .bool, "Keep new pods off the node."),
            f("taints", .list(taint)),
            f("configSource", .any), f("externalID", .str),
        ])),
        f("status", .obj(core("NodeStatus"), "Observed state of a node.", [
            f("capacity", .quantityMap), f("allocatable", .quantityMap),
            f("phase", .str),
            mergeList("conditions", nodeCondition, key: "type"),
            mergeList("addresses", .obj(core("NodeAddress"), "An address of a node.", [
                f("type", .str, required: true), f("address", .str, required: true),
            ]), key: "type"),
            f("daemonEndpoints", .obj(core("NodeDaemonEndpoints"), "Ports of daemons on the node.", [
                f("kubeletEndpoint", .obj(core("DaemonEndpoint"), "A daemon port.", [f("Port", .int32, required: true)])),
            ])),
            f("nodeInfo", .obj(core("NodeSystemInfo"), "Identifying information about the node.", [
                f("machineID", .str), f("systemUUID", .str), f("bootID", .str), f("kernelVersion", .str),
                f("osImage", .str), f("containerRuntimeVersion", .str), f("kubeletVersion", .str),
                f("kubeProxyVersion", .str), f("operatingSystem", .str), f("architecture", .str), f("swap", .any),
            ])),
            f("images", .list(.obj(core("ContainerImage"), "An image on the node.", [f("names", .strings), f("sizeBytes", .int64)]))),
            f("volumesInUse", .strings), f("volumesAttached", .list(.any)),
            f("config", .any), f("runtimeHandlers", .list(.any)), f("features", .any), f("declaredFeatures", .strings),
        ])),
    ])

    // MARK: Event

    public static let event: Schema = .obj(core("Event"), "A report of an event somewhere in the cluster.", kindFields() + [
        f("involvedObject", ObjectReference.schema, "The object this event is about.", required: true),
        f("reason", .str), f("message", .str),
        f("source", .obj(core("EventSource"), "The component reporting an event.", [f("component", .str), f("host", .str)])),
        f("firstTimestamp", .dateTime), f("lastTimestamp", .dateTime),
        f("count", .int32), f("type", .str, "Normal or Warning."),
        f("eventTime", .dateTime),
        f("series", .obj(core("EventSeries"), "A series of repeated events.", [f("count", .int32), f("lastObservedTime", .dateTime)])),
        f("action", .str), f("related", ObjectReference.schema),
        f("reportingComponent", .str), f("reportingInstance", .str),
    ])

    // MARK: ServiceAccount

    public static let serviceAccount: Schema = .obj(core("ServiceAccount"), "An identity for processes in pods.", kindFields() + [
        mergeList("secrets", ObjectReference.schema, key: "name"),
        f("imagePullSecrets", .list(ContainerSchemas.localObjectReference)),
        f("automountServiceAccountToken", .bool),
    ])

    // MARK: PersistentVolume and claims

    static let typedLocalObjectReference: Schema = .obj(core("TypedLocalObjectReference"), "A typed reference in the same namespace.", [
        f("apiGroup", .str), f("kind", .str, required: true), f("name", .str, required: true),
    ])

    static let volumeResourceRequirements: Schema = .obj(core("VolumeResourceRequirements"), "Storage resource requirements.", [
        f("limits", .quantityMap), f("requests", .quantityMap),
    ])

    public static let persistentVolumeClaimSpec: Schema = .obj(core("PersistentVolumeClaimSpec"), "Desired characteristics of a volume.", [
        f("accessModes", .strings, "ReadWriteOnce, ReadOnlyMany, ReadWriteMany or ReadWriteOncePod."),
        f("selector", MetaSchemas.labelSelector),
        f("resources", volumeResourceRequirements),
        f("volumeName", .str), f("storageClassName", .str),
        f("volumeMode", .str, "Filesystem or Block; default Filesystem."),
        f("dataSource", typedLocalObjectReference),
        f("dataSourceRef", .obj(core("TypedObjectReference"), "A typed reference.", [
            f("apiGroup", .str), f("kind", .str, required: true), f("name", .str, required: true), f("namespace", .str),
        ])),
        f("volumeAttributesClassName", .str),
    ])

    public static let persistentVolumeClaim: Schema = .obj(core("PersistentVolumeClaim"), "A user's request for a persistent volume.", kindFields() + [
        f("spec", persistentVolumeClaimSpec),
        f("status", .obj(core("PersistentVolumeClaimStatus"), "Observed state of a claim.", [
            f("phase", .str), f("accessModes", .strings), f("capacity", .quantityMap),
            mergeList("conditions", .obj(core("PersistentVolumeClaimCondition"), "A claim condition.", [
                f("type", .str, required: true), f("status", .str, required: true), f("lastProbeTime", .dateTime),
                f("lastTransitionTime", .dateTime), f("reason", .str), f("message", .str),
            ]), key: "type"),
            f("allocatedResources", .quantityMap), f("allocatedResourceStatuses", .stringMap),
            f("currentVolumeAttributesClassName", .str), f("modifyVolumeStatus", .any),
        ])),
    ])

    public static let persistentVolume: Schema = .obj(core("PersistentVolume"), "A piece of storage provisioned by an administrator.", kindFields() + [
        f("spec", .obj(core("PersistentVolumeSpec"), "Specification of a persistent volume.", [
            f("capacity", .quantityMap),
            f("hostPath", VolumeSchemas.hostPath), f("nfs", VolumeSchemas.nfs),
            f("local", .obj(core("LocalVolumeSource"), "A local disk on one node.", [f("path", .str, required: true), f("fsType", .str)])),
            f("csi", .any, "A CSI volume (not validated)."),
            f("accessModes", .strings),
            f("claimRef", ObjectReference.schema, "The claim bound to this volume."),
            f("persistentVolumeReclaimPolicy", .str, "Retain (default), Delete or Recycle."),
            f("storageClassName", .str), f("mountOptions", .strings),
            f("volumeMode", .str),
            f("nodeAffinity", .obj(core("VolumeNodeAffinity"), "Nodes the volume can be accessed from.", [
                f("required", PodSchemas.nodeSelector),
            ])),
            f("volumeAttributesClassName", .str),
        ] + VolumeSchemas.legacySourceNames.filter { $0 != "local" && $0 != "gitRepo" }.map { f($0, .any, "Legacy volume plugin (not validated).") })),
        f("status", .obj(core("PersistentVolumeStatus"), "Observed state of a volume.", [
            f("phase", .str), f("message", .str), f("reason", .str), f("lastPhaseTransitionTime", .dateTime),
        ])),
    ])

    // MARK: ReplicationController

    public static let replicationController: Schema = .obj(core("ReplicationController"), "Keeps a number of pod replicas running.", kindFields() + [
        f("spec", .obj(core("ReplicationControllerSpec"), "Desired state of a replication controller.", [
            f("replicas", .int32, "Desired number of pods; default 1."),
            f("minReadySeconds", .int32),
            f("selector", .stringMap, "Label query over the pods; defaults to the template labels."),
            f("template", PodSchemas.podTemplateSpec),
        ])),
        f("status", .obj(core("ReplicationControllerStatus"), "Observed state of a replication controller.", [
            f("replicas", .int32, required: true), f("fullyLabeledReplicas", .int32), f("readyReplicas", .int32),
            f("availableReplicas", .int32), f("observedGeneration", .int64),
            mergeList("conditions", .obj(core("ReplicationControllerCondition"), "A condition.", [
                f("type", .str, required: true), f("status", .str, required: true),
                f("lastTransitionTime", .dateTime), f("reason", .str), f("message", .str),
            ]), key: "type"),
        ])),
    ])
}
