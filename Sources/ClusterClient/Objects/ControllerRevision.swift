import APIModel

/// A `ControllerRevision` as the apiserver returns it; see `KubernetesObject`.
public struct ControllerRevision: KubernetesObject {
    public static let resource = ResourceRef.controllerRevisions
    public var object: JSONValue
    public init(_ object: JSONValue) { self.object = object }
}
