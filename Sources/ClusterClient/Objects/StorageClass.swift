import APIModel

/// A `StorageClass` as the apiserver returns it; see `KubernetesObject`.
public struct StorageClass: KubernetesObject {
    public static let resource = ResourceRef.storageClasses
    public var object: JSONValue
    public init(_ object: JSONValue) { self.object = object }
}
