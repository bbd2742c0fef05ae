import Foundation

/// Kubernetes' API defaults (the `SetDefaults_*` functions of k8s.io/kubernetes/pkg/apis/*/v1),
/// plus the few create-time fills its registry strategies make that users see in every stored
/// object (Namespace finalizers and phase, Secret `stringData` folded into `data`).
///
/// Defaults fill absent or null fields only; a value the client sent is never changed.
/// New members are appended after the client's, keeping the client's key order.
public enum Defaulting {
    /// Applies the defaults of `resource`'s kind to `object` in place.
    public static func apply(_ object: inout JSONValue, resource: ResourceInfo) {
        switch (resource.group, resource.kind) {
        case ("", "Pod"): object.modify("spec") { spec in podSpec(&spec, isPod: true) }
        case ("", "Service"): service(&object)
        case ("", "Secret"): secret(&object)
        case ("", "Namespace"): namespace(&object)
        case ("", "PersistentVolumeClaim"):
            object.modify("spec") { setDefault(&$0, "volumeMode", "Filesystem") }
        case ("", "PersistentVolume"):
            object.modify("spec") { spec in
                setDefault(&spec, "persistentVolumeReclaimPolicy", "Retain")
                setDefault(&spec, "volumeMode", "Filesystem")
            }
        case ("", "ReplicationController"): replicationController(&object)
        case ("", "Endpoints"):
            object.modifyEach("subsets") { subset in subset.modifyEach("ports") { setDefault(&$0, "protocol", "TCP") } }
        case ("apps", "Deployment"): deployment(&object)
        case ("apps", "ReplicaSet"):
            object.modify("spec") { spec in
                setDefault(&spec, "replicas", 1)
                podTemplate(&spec)
            }
        case ("apps", "StatefulSet"): statefulSet(&object)
        case ("apps", "DaemonSet"): daemonSet(&object)
        case ("batch", "Job"): object.modify("spec") { spec in jobSpec(&spec) }
        case ("batch", "CronJob"): cronJob(&object)
        case ("discovery.k8s.io", "EndpointSlice"):
            object.modifyEach("ports") { setDefault(&$0, "protocol", "TCP") }
        case ("scheduling.k8s.io", "PriorityClass"):
            setDefault(&object, "preemptionPolicy", "PreemptLowerPriority")
        case ("storage.k8s.io", "StorageClass"):
            setDefault(&object, "reclaimPolicy", "Delete")
            setDefault(&object, "volumeBindingMode", "Immediate")
        default:
            break
        }
    }

    // MARK: helpers

    /// Sets `key` when it is absent or null.
    static func setDefault(_ value: inout JSONValue?, _ key: String, _ defaultValue: JSONValue) {
        var v = value ?? .emptyObject
        setDefault(&v, key, defaultValue)
        value = v
    }

    static func setDefault(_ value: inout JSONValue, _ key: String, _ defaultValue: JSONValue) {
        if value[key] == nil || value[key] == .null { value[key] = defaultValue }
    }

    static func present(_ value: JSONValue?) -> Bool { value != nil && value != .null }

    // MARK: pods

    static func podTemplate(_ spec: inout JSONValue?) {
        guard present(spec?["template"]) else { return }
        spec?.modify("template") { template in
            template?.modify("spec") { podSpec(&$0, isPod: false) }
        }
    }

    /// PodSpec defaults. `isPod` adds what Kubernetes sets on Pods only, never on templates:
    /// `enableServiceLinks`, requests copied from limits, and (ServiceAccount admission's job,
    /// done here so every stored pod has it) the service account with its deprecated alias.
    static func podSpec(_ spec: inout JSONValue?, isPod: Bool) {
        guard var s = spec, case .object = s else { return }
        setDefault(&s, "restartPolicy", "Always")
        setDefault(&s, "terminationGracePeriodSeconds", 30)
        setDefault(&s, "dnsPolicy", "ClusterFirst")
        setDefault(&s, "securityContext", .emptyObject)
        setDefault(&s, "schedulerName", "default-scheduler")
        if isPod {
            setDefault(&s, "enableServiceLinks", true)
            if let alias = s["serviceAccount"]?.stringValue, !alias.isEmpty, !present(s["serviceAccountName"]) {
                s["serviceAccountName"] = .string(alias)
            }
            setDefault(&s, "serviceAccountName", "default")
            setDefault(&s, "serviceAccount", s["serviceAccountName"] ?? "default")
        }
        let hostNetwork = s["hostNetwork"]?.boolValue == true
        for key in ["initContainers", "containers", "ephemeralContainers"] {
            s.modifyEach(key) { c in
                container(&c, hostNetwork: hostNetwork)
                if isPod { requestsFromLimits(&c) }
            }
        }
        s.modifyEach("volumes") { volume(&$0) }
        spec = s
    }

    /// `:latest` or no tag pulls Always, anything else IfNotPresent (a digest counts as a tag).
    public static func imagePullPolicy(for image: String) -> String {
        if image.contains("@") { return "IfNotPresent" }
        let lastComponent = image.split(separator: "/").last.map(String.init) ?? image
        guard let colon = lastComponent.lastIndex(of: ":") else { return "Always" }
        return lastComponent[lastComponent.index(after: colon)...] == "latest" ? "Always" : "IfNotPresent"
    }

    static func container(_ c: inout JSONValue, hostNetwork: Bool) {
        if let image = c["image"]?.stringValue {
            setDefault(&c, "imagePullPolicy", .string(imagePullPolicy(for: image)))
        }
        setDefault(&c, "terminationMessagePath", "/dev/termination-log")
        setDefault(&c, "terminationMessagePolicy", "File")
        setDefault(&c, "resources", .emptyObject)
        c.modifyEach("ports") { port in
            setDefault(&port, "protocol", "TCP")
            if hostNetwork, !present(port["hostPort"]), let cp = port["containerPort"] { port["hostPort"] = cp }
        }
        c.modifyEach("env") { env in
            if present(env["valueFrom"]?["fieldRef"]) {
                env.modify("valueFrom") { from in
                    from?.modify("fieldRef") { setDefault(&$0, "apiVersion", "v1") }
                }
            }
        }
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] where present(c[probe]) {
            c.modify(probe) { p in
                setDefault(&p, "timeoutSeconds", 1)
                setDefault(&p, "periodSeconds", 10)
                setDefault(&p, "successThreshold", 1)
                setDefault(&p, "failureThreshold", 3)
                handlerDefaults(&p)
            }
        }
        if present(c["lifecycle"]) {
            c.modify("lifecycle") { lifecycle in
                for hook in ["postStart", "preStop"] where present(lifecycle?[hook]) {
                    lifecycle?.modify(hook) { handlerDefaults(&$0) }
                }
            }
        }
    }

    /// A container that sets a limit but no request for a resource requests the limit.
    static func requestsFromLimits(_ c: inout JSONValue) {
        guard let limits = c["resources"]?["limits"]?.objectValue, !limits.isEmpty else { return }
        c.modify("resources") { resources in
            var requests = resources?["requests"]?.objectValue ?? JSONObject()
            for (name, quantity) in limits where requests[name] == nil { requests[name] = quantity }
            resources?["requests"] = .object(requests)
        }
    }

    static func handlerDefaults(_ handler: inout JSONValue?) {
        guard present(handler?["httpGet"]) else { return }
        handler?.modify("httpGet") { get in
            setDefault(&get, "path", "/")
            setDefault(&get, "scheme", "HTTP")
        }
    }

    static func volume(_ v: inout JSONValue) {
        let sources = Validator.volumeSourceNames
        if !sources.contains(where: { present(v[$0]) }) { v["emptyDir"] = .emptyObject }
        for source in ["configMap", "secret", "downwardAPI", "projected"] where present(v[source]) {
            v.modify(source) { s in
                setDefault(&s, "defaultMode", 420)
                if source == "downwardAPI" {
                    s?.modifyEach("items") { item in fieldRefAPIVersion(&item) }
                }
                if source == "projected" {
                    s?.modifyEach("sources") { projection in
                        projection.modify("downwardAPI") { d in d?.modifyEach("items") { fieldRefAPIVersion(&$0) } }
                        if present(projection["serviceAccountToken"]) {
                            projection.modify("serviceAccountToken") { setDefault(&$0, "expirationSeconds", 3600) }
                        }
                    }
                }
            }
        }
        if present(v["hostPath"]) { v.modify("hostPath") { setDefault(&$0, "type", "") } }
    }

    static func fieldRefAPIVersion(_ item: inout JSONValue) {
        if present(item["fieldRef"]) { item.modify("fieldRef") { setDefault(&$0, "apiVersion", "v1") } }
    }

    // MARK: workloads

    static func deployment(_ object: inout JSONValue) {
        object.modify("spec") { spec in
            setDefault(&spec, "replicas", 1)
            var strategy = spec?["strategy"] ?? .emptyObject
            setDefault(&strategy, "type", "RollingUpdate")
            if strategy["type"] == "RollingUpdate" {
                var rolling = strategy["rollingUpdate"] ?? .emptyObject
                if rolling == .null { rolling = .emptyObject }
                setDefault(&rolling, "maxUnavailable", "25%")
                setDefault(&rolling, "maxSurge", "25%")
                strategy["rollingUpdate"] = rolling
            }
            spec?["strategy"] = strategy
            setDefault(&spec, "revisionHistoryLimit", 10)
            setDefault(&spec, "progressDeadlineSeconds", 600)
            podTemplate(&spec)
        }
    }

    static func statefulSet(_ object: inout JSONValue) {
        object.modify("spec") { spec in
            setDefault(&spec, "replicas", 1)
            setDefault(&spec, "podManagementPolicy", "OrderedReady")
            var strategy = spec?["updateStrategy"] ?? .emptyObject
            setDefault(&strategy, "type", "RollingUpdate")
            if strategy["type"] == "RollingUpdate" {
                var rolling = strategy["rollingUpdate"] ?? .emptyObject
                if rolling == .null { rolling = .emptyObject }
                setDefault(&rolling, "partition", 0)
                strategy["rollingUpdate"] = rolling
            }
            spec?["updateStrategy"] = strategy
            setDefault(&spec, "revisionHistoryLimit", 10)
            var retention = spec?["persistentVolumeClaimRetentionPolicy"] ?? .emptyObject
            setDefault(&retention, "whenDeleted", "Retain")
            setDefault(&retention, "whenScaled", "Retain")
            spec?["persistentVolumeClaimRetentionPolicy"] = retention
            spec?.modifyEach("volumeClaimTemplates") { claim in
                setDefault(&claim, "apiVersion", "v1")
                setDefault(&claim, "kind", "PersistentVolumeClaim")
                claim.modify("spec") { setDefault(&$0, "volumeMode", "Filesystem") }
                claim.modify("status") { setDefault(&$0, "phase", "Pending") }
            }
            podTemplate(&spec)
        }
    }

    static func daemonSet(_ object: inout JSONValue) {
        object.modify("spec") { spec in
            var strategy = spec?["updateStrategy"] ?? .emptyObject
            setDefault(&strategy, "type", "RollingUpdate")
            if strategy["type"] == "RollingUpdate" {
                var rolling = strategy["rollingUpdate"] ?? .emptyObject
                if rolling == .null { rolling = .emptyObject }
                setDefault(&rolling, "maxUnavailable", 1)
                setDefault(&rolling, "maxSurge", 0)
                strategy["rollingUpdate"] = rolling
            }
            spec?["updateStrategy"] = strategy
            setDefault(&spec, "revisionHistoryLimit", 10)
            podTemplate(&spec)
        }
    }

    static func replicationController(_ object: inout JSONValue) {
        let templateLabels = object["spec"]?["template"]?["metadata"]?["labels"]
        if let templateLabels, templateLabels.objectValue?.isEmpty == false {
            object.modify("spec") { setDefault(&$0, "selector", templateLabels) }
            object.modify("metadata") { setDefault(&$0, "labels", templateLabels) }
        }
        object.modify("spec") { spec in
            setDefault(&spec, "replicas", 1)
            podTemplate(&spec)
        }
    }

    static func jobSpec(_ spec: inout JSONValue?) {
        if !present(spec?["completions"]), !present(spec?["parallelism"]) {
            setDefault(&spec, "completions", 1)
        }
        setDefault(&spec, "parallelism", 1)
        if !present(spec?["backoffLimitPerIndex"]) { setDefault(&spec, "backoffLimit", 6) }
        setDefault(&spec, "completionMode", "NonIndexed")
        setDefault(&spec, "suspend", false)
        setDefault(&spec, "podReplacementPolicy", present(spec?["podFailurePolicy"]) ? "Failed" : "TerminatingOrFailed")
        podTemplate(&spec)
    }

    static func cronJob(_ object: inout JSONValue) {
        object.modify("spec") { spec in
            setDefault(&spec, "concurrencyPolicy", "Allow")
            setDefault(&spec, "suspend", false)
            setDefault(&spec, "successfulJobsHistoryLimit", 3)
            setDefault(&spec, "failedJobsHistoryLimit", 1)
            // The job template's pod spec gets pod defaults; JobSpec defaults apply when the Job is created.
            spec?.modify("jobTemplate") { jt in jt?.modify("spec") { js in podTemplate(&js) } }
        }
    }

    // MARK: core kinds

    static func service(_ object: inout JSONValue) {
        object.modify("spec") { spec in
            setDefault(&spec, "type", "ClusterIP")
            let type = spec?["type"]?.stringValue ?? "ClusterIP"
            guard type != "ExternalName" else { return }
            setDefault(&spec, "sessionAffinity", "None")
            if spec?["sessionAffinity"] == "ClientIP" {
                var config = spec?["sessionAffinityConfig"] ?? .emptyObject
                var clientIP = config["clientIP"] ?? .emptyObject
                setDefault(&clientIP, "timeoutSeconds", 10800)
                config["clientIP"] = clientIP
                spec?["sessionAffinityConfig"] = config
            }
            spec?.modifyEach("ports") { port in
                setDefault(&port, "protocol", "TCP")
                if !present(port["targetPort"]), let p = port["port"] { port["targetPort"] = p }
            }
            if type == "NodePort" || type == "LoadBalancer" { setDefault(&spec, "externalTrafficPolicy", "Cluster") }
            if type == "LoadBalancer" { setDefault(&spec, "allocateLoadBalancerNodePorts", true) }
            setDefault(&spec, "internalTrafficPolicy", "Cluster")
            setDefault(&spec, "ipFamilyPolicy", "SingleStack")
        }
    }

    /// `stringData` is write-only: its entries are base64-encoded into `data` (winning over
    /// `data` entries of the same key) and it is dropped, as Kubernetes' conversion does.
    static func secret(_ object: inout JSONValue) {
        setDefault(&object, "type", "Opaque")
        guard let stringData = object["stringData"]?.objectValue else {
            if object["stringData"] != nil { object["stringData"] = nil }
            return
        }
        var data = object["data"]?.objectValue ?? JSONObject()
        for (k, v) in stringData {
            data[k] = .string(Data((v.stringValue ?? "").utf8).base64EncodedString())
        }
        object["data"] = .object(data)
        object["stringData"] = nil
    }

    static func namespace(_ object: inout JSONValue) {
        if let name = object["metadata"]?["name"]?.stringValue, !name.isEmpty {
            object.modify("metadata") { meta in
                meta?.modify("labels") { labels in
                    var l = labels ?? .emptyObject
                    if l == .null { l = .emptyObject }
                    l["kubernetes.io/metadata.name"] = .string(name)
                    labels = l
                }
            }
        }
        object.modify("spec") { spec in
            if !present(spec?["finalizers"]) { setDefault(&spec, "finalizers", ["kubernetes"]) }
        }
        object.modify("status") { setDefault(&$0, "phase", "Active") }
    }
}
