import APIModel

/// A `PriorityClass` as the apiserver returns it; see `KubernetesObject`.
public struct PriorityClass: KubernetesObject {
    public static let resource = ResourceRef.priorityClasses
    public var object: JSONValue
    public init(_ object: JSONValue) { self.object = object }
}
