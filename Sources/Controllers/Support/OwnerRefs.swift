import APIModel
import ClusterClient

/// Owner references as the workload controllers write them.
enum OwnerRefs {
    /// `controller: true, blockOwnerDeletion: true` to `owner` (of kind `resource`), the
    /// reference that makes the object the owner's and lets foreground deletion wait for it.
    static func controllerRef(to owner: JSONValue, _ resource: ResourceRef) -> JSONValue {
        [
            "apiVersion": .string(resource.apiVersion), "kind": .string(resource.kind),
            "name": .string(owner.name), "uid": .string(owner.uid),
            "controller": true, "blockOwnerDeletion": true,
        ]
    }

    /// The owner's key when `object`'s controller reference points at an object of `kind`.
    static func controllerKey(of object: JSONValue, kind: String) -> String? {
        guard let reference = object.controllerReference, reference.kind == kind else { return nil }
        guard let namespace = object.namespace else { return reference.name }
        return "\(namespace)/\(reference.name)"
    }

    /// True when `object` is controlled by exactly this owner (by uid, so a re-created
    /// owner of the same name does not inherit its predecessor's objects).
    static func isControlled(_ object: JSONValue, by owner: JSONValue) -> Bool {
        object.controllerReference?.uid == owner.uid
    }
}

/// Label selectors of workload specs.
enum WorkloadSelector {
    /// `spec.selector` as a `metav1.LabelSelector`; a missing selector selects nothing.
    static func of(_ object: JSONValue) throws -> LabelSelector {
        try LabelSelector(json: object["spec"]?["selector"] ?? .null)
    }

    /// ReplicationController's `spec.selector` is a plain map; when absent Kubernetes uses
    /// the template's labels.
    static func ofReplicationController(_ object: JSONValue) -> LabelSelector {
        let map = object["spec"]?["selector"]?.objectValue ?? object["spec"]?["template"]?["metadata"]?["labels"]?.objectValue
        guard let map, !map.isEmpty else { return .nothing }
        return LabelSelector(requirements: map.compactMap { key, value in
            value.stringValue.map { LabelSelector.Requirement(key: key, op: .equals, values: [$0]) }
        })
    }
}
