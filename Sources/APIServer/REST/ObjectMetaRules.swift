import APIModel
import Foundation

/// Reading and writing `metadata` members of an object tree.
extension JSONValue {
    func meta(_ key: String) -> JSONValue? { self["metadata"]?[key] }
    func metaString(_ key: String) -> String? { self["metadata"]?[key]?.stringValue }

    mutating func setMeta(_ key: String, _ value: JSONValue?) {
        modify("metadata") { metadata in
            var m = metadata ?? .emptyObject
            if case .object(var o) = m {
                o[key] = value
                m = .object(o)
            }
            metadata = m
        }
    }

    var finalizers: [String] { (meta("finalizers")?.arrayValue ?? []).compactMap(\.stringValue) }

    mutating func setFinalizers(_ finalizers: [String]) {
        setMeta("finalizers", finalizers.isEmpty ? nil : .array(finalizers.map { .string($0) }))
    }

    var isBeingDeleted: Bool { !(metaString("deletionTimestamp") ?? "").isEmpty }
}

/// The system-owned parts of an object's lifecycle, as Kubernetes' generic registry and the
/// per-kind strategies set them: names, uid, timestamps, generation, and which writes may touch
/// status.
enum ObjectRules {
    /// Kubernetes' alphabet for generated suffixes: no vowels (no words) and no look-alikes.
    static let suffixAlphabet = Array("bcdfghjklmnpqrstvwxz2456789")
    static let maxGeneratedBaseLength = 63 - 5

    /// `generateName` plus five random characters, the base cut so the name stays a label.
    static func generatedName(_ base: String) -> String {
        let prefix = String(base.prefix(maxGeneratedBaseLength))
        var generator = SystemRandomNumberGenerator()
        let suffix = (0..<5).map { _ in suffixAlphabet[Int(generator.next(upperBound: UInt64(suffixAlphabet.count)))] }
        return prefix + String(suffix)
    }

    static func hasStatus(_ resource: ResourceInfo) -> Bool { resource.subresource("status") != nil }

    /// Whether the kind has a `spec`; kinds without one (ConfigMap, Secret, Lease…) count every
    /// other non-metadata, non-status field for generation.
    static func hasSpec(_ resource: ResourceInfo) -> Bool { resource.schema.member("spec") != nil }

    /// Whether the kind carries `metadata.generation`: kinds with a desired state (`spec`) that a
    /// controller reconciles and reports on through status, as Kubernetes' strategies set it.
    /// ConfigMaps, Secrets, Leases, Events and the like have none.
    static func tracksGeneration(_ resource: ResourceInfo) -> Bool { hasSpec(resource) && hasStatus(resource) }

    /// The part of an object whose change bumps `metadata.generation`.
    static func generationSubject(_ object: JSONValue, resource: ResourceInfo) -> JSONValue {
        if hasSpec(resource) { return object["spec"] ?? .null }
        guard case .object(var o) = object else { return object }
        for key in ["metadata", "status", "kind", "apiVersion"] { o.removeValue(forKey: key) }
        return .object(o)
    }

    /// Fills what the server owns on create: uid, creationTimestamp, generation 1; drops what a
    /// client may not set (deletion fields, managedFields to be recorded afresh, selfLink) and,
    /// for kinds with a status subresource, the status a client sent (Kubernetes' strategies
    /// start status empty; a Pod starts Pending with its QoS class).
    static func prepareForCreate(_ object: inout JSONValue, resource: ResourceInfo, time: String) {
        object.setMeta("uid", .string(UUID().uuidString.lowercased()))
        object.setMeta("creationTimestamp", .string(time))
        object.setMeta("generation", tracksGeneration(resource) ? 1 : nil)
        for key in ["deletionTimestamp", "deletionGracePeriodSeconds", "selfLink", "managedFields", "resourceVersion"] {
            object.setMeta(key, nil)
        }
        guard hasStatus(resource) else { return }
        switch (resource.group, resource.kind) {
        case ("", "Namespace"), ("", "Node"):
            break  // namespace phase is defaulted; a node registers with its status
        case ("", "Pod"):
            object["status"] = ["phase": "Pending", "qosClass": .string(qosClass(object["spec"]))]
        case ("", "PersistentVolume"), ("", "PersistentVolumeClaim"):
            object["status"] = ["phase": "Pending"]
        default:
            object["status"] = .emptyObject
        }
    }

    /// Copies onto an update what only the server changes: uid (when omitted), creation time,
    /// deletion fields and generation (bumped below when the spec changed).
    static func prepareForUpdate(_ new: inout JSONValue, old: JSONValue, resource: ResourceInfo) {
        if (new.metaString("uid") ?? "").isEmpty { new.setMeta("uid", old.meta("uid")) }
        new.setMeta("creationTimestamp", old.meta("creationTimestamp"))
        new.setMeta("deletionTimestamp", old.meta("deletionTimestamp"))
        new.setMeta("deletionGracePeriodSeconds", old.meta("deletionGracePeriodSeconds"))
        new.setMeta("selfLink", nil)
        new.setMeta("generation", old.meta("generation"))
        if new.meta("managedFields") == nil { new.setMeta("managedFields", old.meta("managedFields")) }
        if resource.group.isEmpty && resource.kind == "Namespace" {
            // spec.finalizers change only through /finalize, status only through /status.
            new.modify("spec") { spec in
                var s = spec ?? .emptyObject
                s["finalizers"] = old["spec"]?["finalizers"]
                spec = s
            }
        }
    }

    /// Bumps generation when the spec changed (kinds that track one).
    static func bumpGeneration(_ new: inout JSONValue, old: JSONValue, resource: ResourceInfo) {
        guard tracksGeneration(resource) else { return new.setMeta("generation", nil) }
        let previous = old.meta("generation")?.intValue ?? 0
        if generationSubject(old, resource: resource) != generationSubject(new, resource: resource) {
            new.setMeta("generation", .int(max(previous, 0) + 1))
        } else if previous > 0 {
            new.setMeta("generation", .int(previous))
        }
    }

    /// A pod's QoS class: BestEffort without any requests or limits, Guaranteed when every
    /// container limits cpu and memory and requests equal limits, Burstable otherwise.
    static func qosClass(_ spec: JSONValue?) -> String {
        let containers = (spec?["containers"]?.arrayValue ?? []) + (spec?["initContainers"]?.arrayValue ?? [])
        var anySet = false
        var guaranteed = !containers.isEmpty
        for container in containers {
            let requests = container["resources"]?["requests"]?.objectValue ?? JSONObject()
            let limits = container["resources"]?["limits"]?.objectValue ?? JSONObject()
            for (name, _) in requests where name == "cpu" || name == "memory" { anySet = true }
            for (name, _) in limits where name == "cpu" || name == "memory" { anySet = true }
            for name in ["cpu", "memory"] {
                guard let limit = limits[name] else {
                    guaranteed = false
                    continue
                }
                if let request = requests[name], Quantity.value(of: request) != Quantity.value(of: limit) {
                    guaranteed = false
                }
            }
        }
        if !anySet { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }

    /// An object with the fields that differ on every write (resourceVersion, managedFields
    /// timestamps) removed, for "did this write change anything" checks.
    static func comparable(_ object: JSONValue) -> JSONValue {
        var o = object
        o.setMeta("resourceVersion", nil)
        o.setMeta("managedFields", nil)
        return o
    }
}
