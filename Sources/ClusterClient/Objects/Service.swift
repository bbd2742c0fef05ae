import APIModel

/// A `Service` as the apiserver returns it; see `KubernetesObject`.
public struct Service: KubernetesObject {
    public static let resource = ResourceRef.services
    public var object: JSONValue
    public init(_ object: JSONValue) { self.object = object }
}
