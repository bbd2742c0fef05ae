import APIModel

/// An `events.k8s.io/v1` Event as the apiserver returns it; see `KubernetesObject`.
public struct EventV1: KubernetesObject {
    public static let resource = ResourceRef.eventsV1
    public var object: JSONValue
    public init(_ object: JSONValue) { self.object = object }
}
