import APIModel

/// A `PersistentVolume` as the apiserver returns it; see `KubernetesObject`.
public struct PersistentVolume: KubernetesObject {
    public static let resource = ResourceRef.persistentVolumes
    public var object: JSONValue
    public init(_ object: JSONValue) { self.object = object }
}
