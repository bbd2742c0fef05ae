import APIModel

/// A `ReplicationController` as the apiserver returns it; see `KubernetesObject`.
public struct ReplicationController: KubernetesObject {
    public static let resource = ResourceRef.replicationControllers
    public var object: JSONValue
    public init(_ object: JSONValue) { self.object = object }
}

extension ReplicationController {
    /// `spec.replicas` (1 when unset, as the apiserver defaults it).
    public var replicas: Int {
        get { Int(object.value(at: ["spec", "replicas"])?.intValue ?? 1) }
        set { object.setValue(.int(Int64(newValue)), at: ["spec", "replicas"]) }
    }
    public var selector: JSONValue? { object.value(at: ["spec", "selector"]) }
}
