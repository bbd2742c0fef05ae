import APIModel

/// A `Namespace` as the apiserver returns it; see `KubernetesObject`.
public struct Namespace: KubernetesObject {
    public static let resource = ResourceRef.namespaces
    public var object: JSONValue
    public init(_ object: JSONValue) { self.object = object }
}

extension Namespace {
    /// `Active` or `Terminating`.
    public var phase: String? { object.value(at: ["status", "phase"])?.stringValue }
}
