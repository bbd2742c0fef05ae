/// How server-side apply treats one value, derived from the schema and the value itself —
/// structured-merge-diff's view of a type: granular structs and maps, associative (`map`) and
/// `set` lists, and atomic values that are owned and replaced whole.
enum ApplyShape {
    /// A struct or map: members are tracked one by one as `f:<name>`. `isStruct` is false for
    /// maps (labels, data) and untyped objects.
    case fields(isStruct: Bool)
    /// `x-kubernetes-list-type: map`: items tracked as `k:{…}` by `keys`.
    case associativeList(keys: [String])
    /// `x-kubernetes-list-type: set`: items tracked as `v:<value>`.
    case setList
    /// A scalar, an atomic list or struct, or a value whose shape disagrees with the schema.
    case atomic

    /// Structs Kubernetes marks `x-kubernetes-map-type: atomic` (references and selectors,
    /// which only make sense whole); the schema has no spelling for that, so it lives here.
    static let atomicStructs: Set<String> = [
        "io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector",
        "io.k8s.api.core.v1.NodeSelector", "io.k8s.api.core.v1.NodeSelectorTerm",
        "io.k8s.api.core.v1.TopologySelectorTerm",
        "io.k8s.api.core.v1.ObjectFieldSelector", "io.k8s.api.core.v1.ResourceFieldSelector",
        "io.k8s.api.core.v1.ConfigMapKeySelector", "io.k8s.api.core.v1.SecretKeySelector",
        "io.k8s.api.core.v1.LocalObjectReference", "io.k8s.api.core.v1.TypedLocalObjectReference",
        "io.k8s.api.core.v1.ObjectReference",
    ]

    init(schema: Schema?, value: JSONValue) {
        switch value {
        case .object:
            switch schema {
            case .object(let o)?:
                self = o.name.map { ApplyShape.atomicStructs.contains($0) } == true ? .atomic : .fields(isStruct: true)
            case .map?, .any?, nil:
                self = .fields(isStruct: false)
            default:
                self = .atomic
            }
        case .array(let items):
            guard case .array(let a)? = schema else {
                self = .atomic
                return
            }
            switch a.listType {
            case .map? where !a.mapKeys.isEmpty:
                // Items without their keys, or with duplicate keys, cannot be tracked one by one.
                var seen = Set<String>()
                for item in items {
                    guard let key = FieldPathElement.key(of: item, keys: a.mapKeys), seen.insert(key).inserted else {
                        self = .atomic
                        return
                    }
                }
                self = .associativeList(keys: a.mapKeys)
            case .set?:
                self = .setList
            default:
                self = .atomic
            }
        default:
            self = .atomic
        }
    }

    /// The schema of a member of a struct or map; unknown struct members are untyped.
    static func memberSchema(_ schema: Schema?, _ name: String) -> Schema? {
        switch schema {
        case .object(let o)?: return o.field(named: name)?.schema ?? .any
        case .map(let value)?: return value
        default: return .any
        }
    }

    static func itemSchema(_ schema: Schema?) -> Schema? {
        schema?.arraySchema?.items
    }
}

/// The parts of an object no manager owns: identity and server-maintained metadata, the
/// envelope, and the half of the object a write through the other endpoint cannot change
/// (status for main-resource writes; everything but status and metadata for `/status`).
enum ManagedScope {
    static let serverMetadata: Set<String> = [
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "selfLink",
        "managedFields",
    ]

    /// `object` without the unowned parts: a shallow copy, so it costs a few key removals.
    static func trackedPart(of object: JSONValue, subresource: String?) -> JSONValue {
        guard case .object(var root) = object else { return object }
        root.removeValue(forKey: "apiVersion")
        root.removeValue(forKey: "kind")
        if subresource == "status" {
            for key in root.keys where key != "status" && key != "metadata" { root.removeValue(forKey: key) }
        } else {
            root.removeValue(forKey: "status")
        }
        if case .object(var metadata)? = root["metadata"] {
            root["metadata"] = nil
            for key in serverMetadata { metadata.removeValue(forKey: key) }
            if !metadata.isEmpty { root["metadata"] = .object(metadata) }
        }
        return .object(root)
    }
}
