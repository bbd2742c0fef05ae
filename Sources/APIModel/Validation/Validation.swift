/// Semantic validation, per kind, as Kubernetes' `validation.go` files do it: names, labels,
/// references between fields, value ranges and enumerations. Runs after defaulting (as in
/// Kubernetes) on bodies that passed structural validation.
public enum Validation {
    /// Validates an object for create. Returns every problem found (empty when valid).
    public static func validate(_ object: JSONValue, resource: ResourceInfo) -> [FieldError] {
        var v = Validator()
        v.objectMeta(object["metadata"], resource: resource)
        if let rule = rules[resource.gvk] { rule(&v, object) }
        return v.errors
    }

    /// Validates an update: everything `validate` checks plus the fields that may not change.
    public static func validateUpdate(old: JSONValue, new: JSONValue, resource: ResourceInfo) -> [FieldError] {
        var errors = validate(new, resource: resource)
        var v = Validator()
        v.immutableMeta(old: old, new: new)
        if let rule = updateRules[resource.gvk] { rule(&v, old, new) }
        errors += v.errors
        return errors
    }

    static func gvk(_ g: String, _ k: String) -> GroupVersionKind { GroupVersionKind(group: g, version: "v1", kind: k) }

    static let rules: [GroupVersionKind: @Sendable (inout Validator, JSONValue) -> Void] = [
        gvk("", "Pod"): { v, o in v.podSpec(o["spec"], FieldPath("spec"), isTemplate: false) },
        gvk("", "Namespace"): { _, _ in },
        gvk("", "Service"): { v, o in v.service(o) },
        gvk("", "ConfigMap"): { v, o in v.configMap(o) },
        gvk("", "Secret"): { v, o in v.secret(o) },
        gvk("", "Node"): { v, o in v.node(o) },
        gvk("", "Endpoints"): { v, o in v.endpoints(o) },
        gvk("", "PersistentVolumeClaim"): { v, o in v.persistentVolumeClaim(o) },
        gvk("", "PersistentVolume"): { v, o in v.persistentVolume(o) },
        gvk("", "ReplicationController"): { v, o in v.replicationController(o) },
        gvk("", "Event"): { v, o in v.coreEvent(o) },
        gvk("apps", "Deployment"): { v, o in v.deployment(o) },
        gvk("apps", "ReplicaSet"): { v, o in v.replicaSet(o) },
        gvk("apps", "StatefulSet"): { v, o in v.statefulSet(o) },
        gvk("apps", "DaemonSet"): { v, o in v.daemonSet(o) },
        gvk("batch", "Job"): { v, o in v.jobSpec(o["spec"], FieldPath("spec"), metadataOfTemplateOwner: o["metadata"]) },
        gvk("batch", "CronJob"): { v, o in v.cronJob(o) },
        gvk("coordination.k8s.io", "Lease"): { v, o in v.lease(o) },
        gvk("discovery.k8s.io", "EndpointSlice"): { v, o in v.endpointSlice(o) },
        gvk("policy", "PodDisruptionBudget"): { v, o in v.podDisruptionBudget(o) },
        gvk("scheduling.k8s.io", "PriorityClass"): { v, o in v.priorityClass(o) },
        gvk("storage.k8s.io", "StorageClass"): { v, o in v.storageClass(o) },
    ]

    static let updateRules: [GroupVersionKind: @Sendable (inout Validator, JSONValue, JSONValue) -> Void] = [
        gvk("", "Pod"): { v, old, new in v.podUpdate(old: old, new: new) },
        gvk("", "Service"): { v, old, new in v.serviceUpdate(old: old, new: new) },
        gvk("", "ConfigMap"): { v, old, new in v.immutableData(old: old, new: new, keys: ["data", "binaryData"]) },
        gvk("", "Secret"): { v, old, new in
            v.immutableData(old: old, new: new, keys: ["data"])
            v.immutable(old["type"], new["type"], FieldPath("type"))
        },
        gvk("", "PersistentVolumeClaim"): { v, old, new in v.pvcUpdate(old: old, new: new) },
        gvk("apps", "Deployment"): { v, old, new in v.immutable(old["spec"]?["selector"], new["spec"]?["selector"], FieldPath("spec.selector")) },
        gvk("apps", "ReplicaSet"): { v, old, new in v.immutable(old["spec"]?["selector"], new["spec"]?["selector"], FieldPath("spec.selector")) },
        gvk("apps", "DaemonSet"): { v, old, new in v.immutable(old["spec"]?["selector"], new["spec"]?["selector"], FieldPath("spec.selector")) },
        gvk("apps", "StatefulSet"): { v, old, new in v.statefulSetUpdate(old: old, new: new) },
        gvk("batch", "Job"): { v, old, new in v.jobUpdate(old: old, new: new) },
    ]
}

/// Accumulates field errors; one method per Kubernetes validation function.
struct Validator {
    var errors: [FieldError] = []

    mutating func add(_ e: FieldError) { errors.append(e) }

    // MARK: primitives

    mutating func nonNegative(_ value: JSONValue?, _ path: FieldPath) {
        if let i = value?.intValue, i < 0 { add(.invalid(path, value, "must be greater than or equal to 0")) }
    }

    mutating func positive(_ value: JSONValue?, _ path: FieldPath) {
        if let i = value?.intValue, i <= 0 { add(.invalid(path, value, "must be greater than zero")) }
    }

    mutating func oneOf(_ value: JSONValue?, _ path: FieldPath, _ allowed: [String], required: Bool = false) {
        guard let s = value?.stringValue, !s.isEmpty else {
            if required { add(.required(path)) }
            return
        }
        if !allowed.contains(s) { add(.notSupported(path, value, allowed)) }
    }

    mutating func portNumber(_ value: JSONValue?, _ path: FieldPath, required: Bool) {
        guard let value, !value.isNull else {
            if required { add(.required(path)) }
            return
        }
        guard let p = value.intValue, (1...65535).contains(p) else {
            add(.invalid(path, value, "must be between 1 and 65535, inclusive"))
            return
        }
    }

    mutating func names(_ value: String, _ path: FieldPath, _ check: (String) -> [String]) {
        for message in check(value) { add(.invalid(path, .string(value), message)) }
    }

    mutating func immutable(_ old: JSONValue?, _ new: JSONValue?, _ path: FieldPath) {
        if (old ?? .null) != (new ?? .null) { add(.invalid(path, new, "field is immutable")) }
    }

    // MARK: metadata

    mutating func objectMeta(_ meta: JSONValue?, resource: ResourceInfo) {
        let path = FieldPath("metadata")
        let name = meta?["name"]?.stringValue ?? ""
        let generateName = meta?["generateName"]?.stringValue ?? ""
        let nameCheck: (String) -> [String]
        switch resource.kind {
        case "Namespace": nameCheck = Names.dns1123LabelErrors
        case "Service": nameCheck = Names.dns1035LabelErrors
        default: nameCheck = Names.dns1123SubdomainErrors
        }
        if name.isEmpty {
            if generateName.isEmpty {
                add(.required(path.child("name"), "name or generateName is required"))
            } else {
                // The prefix is checked with a stand-in suffix, as Kubernetes does.
                let errs = nameCheck(String(generateName.dropLast(generateName.hasSuffix("-") ? 1 : 0)) + (generateName.hasSuffix("-") ? "-a" : "a"))
                for e in errs { add(.invalid(path.child("generateName"), .string(generateName), e)) }
            }
        } else {
            names(name, path.child("name"), nameCheck)
        }
        let namespace = meta?["namespace"]?.stringValue ?? ""
        if resource.namespaced {
            if namespace.isEmpty {
                add(.required(path.child("namespace")))
            } else {
                names(namespace, path.child("namespace"), Names.dns1123LabelErrors)
            }
        } else if !namespace.isEmpty {
            add(.forbidden(path.child("namespace"), "not allowed on this type"))
        }
        labels(meta?["labels"], path.child("labels"))
        annotations(meta?["annotations"], path.child("annotations"))
        nonNegative(meta?["generation"], path.child("generation"))
        if let owners = meta?["ownerReferences"]?.arrayValue {
            var controllers = 0
            for (i, owner) in owners.enumerated() {
                let p = path.child("ownerReferences").index(i)
                for key in ["apiVersion", "kind", "name", "uid"] where (owner[key]?.stringValue ?? "").isEmpty {
                    add(.invalid(p.child(key), owner[key] ?? .string(""), "\(key) must not be empty"))
                }
                if owner["controller"]?.boolValue == true { controllers += 1 }
            }
            if controllers > 1 {
                add(.invalid(path.child("ownerReferences"), meta?["ownerReferences"], "Only one reference can have Controller set to true"))
            }
        }
        if let finalizers = meta?["finalizers"]?.arrayValue {
            var seen = Set<String>()
            for (i, f) in finalizers.enumerated() {
                guard let s = f.stringValue else { continue }
                let p = path.child("finalizers").index(i)
                if !seen.insert(s).inserted { add(.duplicate(p, f)) }
                if !s.contains("/"), s != "kubernetes", s != "orphan", s != "foregroundDeletion" {
                    add(.invalid(p, f, "name is neither a standard finalizer name nor is it fully qualified"))
                } else {
                    names(s, p, Names.qualifiedNameErrors)
                }
            }
        }
    }

    mutating func labels(_ value: JSONValue?, _ path: FieldPath) {
        guard let object = value?.objectValue else { return }
        for (key, v) in object {
            for e in Names.qualifiedNameErrors(key) { add(.invalid(path, .string(key), e)) }
            if let s = v.stringValue {
                for e in Names.labelValueErrors(s) { add(.invalid(path, v, e)) }
            }
        }
    }

    mutating func annotations(_ value: JSONValue?, _ path: FieldPath) {
        guard let object = value?.objectValue else { return }
        var total = 0
        for (key, v) in object {
            for e in Names.qualifiedNameErrors(key.lowercased()) { add(.invalid(path, .string(key), e)) }
            total += key.utf8.count + (v.stringValue?.utf8.count ?? 0)
        }
        if total > 256 * 1024 {
            add(FieldError(.tooLong, path, nil, "must have at most 262144 bytes"))
        }
    }

    mutating func immutableMeta(old: JSONValue, new: JSONValue) {
        for key in ["name", "namespace", "uid", "creationTimestamp"] {
            let o = old["metadata"]?[key] ?? .null
            let n = new["metadata"]?[key] ?? .null
            if !o.isNull, o != n { add(.invalid(FieldPath("metadata").child(key), n, "field is immutable")) }
        }
    }

    // MARK: label selectors

    mutating func labelSelector(_ selector: JSONValue?, _ path: FieldPath) {
        guard let selector else { return }
        labels(selector["matchLabels"], path.child("matchLabels"))
        for (i, req) in (selector["matchExpressions"]?.arrayValue ?? []).enumerated() {
            let p = path.child("matchExpressions").index(i)
            let op = req["operator"]?.stringValue ?? ""
            let values = req["values"]?.arrayValue ?? []
            switch op {
            case "In", "NotIn":
                if values.isEmpty { add(.required(p.child("values"), "must be specified when `operator` is 'In' or 'NotIn'")) }
            case "Exists", "DoesNotExist":
                if !values.isEmpty { add(.forbidden(p.child("values"), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'")) }
            default:
                add(.invalid(p.child("operator"), req["operator"], "not a valid selector operator"))
            }
            names(req["key"]?.stringValue ?? "", p.child("key"), Names.qualifiedNameErrors)
        }
    }

    /// Whether a LabelSelector matches a label set (Kubernetes' `labels.Selector.Matches`).
    static func selector(_ selector: JSONValue, matches labels: JSONObject) -> Bool {
        for (k, v) in selector["matchLabels"]?.objectValue ?? JSONObject() where labels[k] != v {
            return false
        }
        for req in selector["matchExpressions"]?.arrayValue ?? [] {
            let key = req["key"]?.stringValue ?? ""
            let values = (req["values"]?.arrayValue ?? []).compactMap(\.stringValue)
            let actual = labels[key]?.stringValue
            switch req["operator"]?.stringValue {
            case "In": if actual == nil || !values.contains(actual ?? "") { return false }
            case "NotIn": if let actual, values.contains(actual) { return false }
            case "Exists": if actual == nil { return false }
            case "DoesNotExist": if actual != nil { return false }
            default: return false
            }
        }
        return true
    }

    static func isEmptySelector(_ selector: JSONValue) -> Bool {
        (selector["matchLabels"]?.objectValue?.isEmpty ?? true) && (selector["matchExpressions"]?.arrayValue?.isEmpty ?? true)
    }
}
