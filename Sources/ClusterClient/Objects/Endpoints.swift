import APIModel

/// A `Endpoints` as the apiserver returns it; see `KubernetesObject`.
public struct Endpoints: KubernetesObject {
    public static let resource = ResourceRef.endpoints
    public var object: JSONValue
    public init(_ object: JSONValue) { self.object = object }
}
