import APIModel

/// A `ServiceAccount` as the apiserver returns it; see `KubernetesObject`.
public struct ServiceAccount: KubernetesObject {
    public static let resource = ResourceRef.serviceAccounts
    public var object: JSONValue
    public init(_ object: JSONValue) { self.object = object }
}
