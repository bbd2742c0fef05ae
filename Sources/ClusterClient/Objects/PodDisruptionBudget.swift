import APIModel

/// A `PodDisruptionBudget` as the apiserver returns it; see `KubernetesObject`.
public struct PodDisruptionBudget: KubernetesObject {
    public static let resource = ResourceRef.podDisruptionBudgets
    public var object: JSONValue
    public init(_ object: JSONValue) { self.object = object }
}
