import APIModel

/// A `Node` as the apiserver returns it; see `KubernetesObject`.
public struct Node: KubernetesObject {
    public static let resource = ResourceRef.nodes
    public var object: JSONValue
    public init(_ object: JSONValue) { self.object = object }
}

extension Node {
    /// The `Ready` condition is `True`.
    public var isReady: Bool { conditionStatus("Ready") == "True" }
    public var unschedulable: Bool {
        get { object.value(at: ["spec", "unschedulable"])?.boolValue ?? false }
        set { object.setValue(newValue ? .bool(true) : nil, at: ["spec", "unschedulable"]) }
    }
    public var taints: [JSONValue] { object.value(at: ["spec", "taints"])?.arrayValue ?? [] }
    public var podCIDR: String? { object.value(at: ["spec", "podCIDR"])?.stringValue }
    public var capacity: [String: String] { JSONValue.stringMap(object.value(at: ["status", "capacity"])) }
    public var allocatable: [String: String] { JSONValue.stringMap(object.value(at: ["status", "allocatable"])) }
    public var conditions: [JSONValue] { object.value(at: ["status", "conditions"])?.arrayValue ?? [] }
    public func conditionStatus(_ type: String) -> String? {
        conditions.first { $0["type"]?.stringValue == type }?["status"]?.stringValue
    }
    /// The first `InternalIP` address.
    public var internalIP: String? {
        object.value(at: ["status", "addresses"])?.arrayValue?
            .first { $0["type"]?.stringValue == "InternalIP" }?["address"]?.stringValue
    }
}
