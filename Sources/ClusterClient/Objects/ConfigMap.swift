import APIModel

/// A `ConfigMap` as the apiserver returns it; see `KubernetesObject`.
public struct ConfigMap: KubernetesObject {
    public static let resource = ResourceRef.configMaps
    public var object: JSONValue
    public init(_ object: JSONValue) { self.object = object }
}
