import APIModel

/// A `Secret` as the apiserver returns it; see `KubernetesObject`.
public struct Secret: KubernetesObject {
    public static let resource = ResourceRef.secrets
    public var object: JSONValue
    public init(_ object: JSONValue) { self.object = object }
}
