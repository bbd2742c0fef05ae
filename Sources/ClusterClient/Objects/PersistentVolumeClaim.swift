import APIModel

/// A `PersistentVolumeClaim` as the apiserver returns it; see `KubernetesObject`.
public struct PersistentVolumeClaim: KubernetesObject {
    public static let resource = ResourceRef.persistentVolumeClaims
    public var object: JSONValue
    public init(_ object: JSONValue) { self.object = object }
}
