import APIModel

/// A `DaemonSet` as the apiserver returns it; see `KubernetesObject`.
public struct DaemonSet: KubernetesObject {
    public static let resource = ResourceRef.daemonSets
    public var object: JSONValue
    public init(_ object: JSONValue) { self.object = object }
}

extension DaemonSet {
    public var selector: JSONValue? { object.value(at: ["spec", "selector"]) }
}
