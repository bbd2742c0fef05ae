import APIModel

/// A `EndpointSlice` as the apiserver returns it; see `KubernetesObject`.
public struct EndpointSlice: KubernetesObject {
    public static let resource = ResourceRef.endpointSlices
    public var object: JSONValue
    public init(_ object: JSONValue) { self.object = object }
}
