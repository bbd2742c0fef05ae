import APIModel

/// A `Pod` as the apiserver returns it; see `KubernetesObject`.
public struct Pod: KubernetesObject {
    public static let resource = ResourceRef.pods
    public var object: JSONValue
    public init(_ object: JSONValue) { self.object = object }
}

extension Pod {
    /// `spec.nodeName`: the node the pod is bound to (empty while pending scheduling).
    public var nodeName: String? {
        get { object.value(at: ["spec", "nodeName"])?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
        set { object.setValue(newValue.map(JSONValue.string), at: ["spec", "nodeName"]) }
    }
    public var schedulerName: String { object.value(at: ["spec", "schedulerName"])?.stringValue ?? "default-scheduler" }
    /// `Pending`, `Running`, `Succeeded`, `Failed`, `Unknown`.
    public var phase: String? {
        get { object.value(at: ["status", "phase"])?.stringValue }
        set { object.setValue(newValue.map(JSONValue.string), at: ["status", "phase"]) }
    }
    public var nominatedNodeName: String? { object.value(at: ["status", "nominatedNodeName"])?.stringValue }
    public var podIP: String? { object.value(at: ["status", "podIP"])?.stringValue }
    public var hostIP: String? { object.value(at: ["status", "hostIP"])?.stringValue }
    public var priority: Int { Int(object.value(at: ["spec", "priority"])?.intValue ?? 0) }
    public var containers: [JSONValue] { object.value(at: ["spec", "containers"])?.arrayValue ?? [] }
    public var initContainers: [JSONValue] { object.value(at: ["spec", "initContainers"])?.arrayValue ?? [] }
    public var conditions: [JSONValue] { object.value(at: ["status", "conditions"])?.arrayValue ?? [] }
    /// The status of the condition `type` (`True`, `False`, `Unknown`), if present.
    public func conditionStatus(_ type: String) -> String? {
        conditions.first { $0["type"]?.stringValue == type }?["status"]?.stringValue
    }
    /// Succeeded or Failed: the pod will not run again.
    public var isTerminal: Bool { phase == "Succeeded" || phase == "Failed" }
    public var isReady: Bool { conditionStatus("Ready") == "True" }
}
