import APIModel

/// A `Event` as the apiserver returns it; see `KubernetesObject`.
public struct Event: KubernetesObject {
    public static let resource = ResourceRef.events
    public var object: JSONValue
    public init(_ object: JSONValue) { self.object = object }
}
