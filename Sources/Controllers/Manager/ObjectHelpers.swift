import APIModel
import ClusterClient

/// Small readings of object JSON shared by the infrastructure controllers.
extension JSONValue {
    /// A map-of-strings selector (`Service.spec.selector`) as a label selector; nil when absent
    /// or empty (Kubernetes treats both as "selects nothing" for Services).
    static func equalitySelector(_ map: JSONValue?) -> LabelSelector? {
        guard let object = map?.objectValue, !object.isEmpty else { return nil }
        var requirements: [LabelSelector.Requirement] = []
        for (key, value) in object {
            guard let string = value.stringValue else { continue }
            requirements.append(.init(key: key, op: .equals, values: [string]))
        }
        return LabelSelector(requirements: requirements)
    }

    /// The status of the pod condition `type` (`True`/`False`/`Unknown`), nil when absent.
    func conditionStatus(_ type: String) -> String? {
        self["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }?["status"]?.stringValue
    }

    /// A pod is ready when its `Ready` condition is `True`.
    var isPodReady: Bool { conditionStatus("Ready") == "True" }

    var podPhase: String { self["status"]?["phase"]?.stringValue ?? "" }
    var podIsTerminated: Bool { podPhase == "Succeeded" || podPhase == "Failed" }
    var podNodeName: String { self["spec"]?["nodeName"]?.stringValue ?? "" }

    /// The reference to this object that Endpoints and EndpointSlices carry (without a
    /// resourceVersion, so a pod's status writes do not rewrite its Service's endpoints).
    func objectReference(kind: String) -> JSONValue {
        var reference: JSONValue = ["kind": .string(kind), "name": .string(name), "uid": .string(uid)]
        if let namespace { reference["namespace"] = .string(namespace) }
        return reference
    }

    /// This object as a controlling owner reference.
    func controllerOwnerReference(apiVersion: String, kind: String) -> JSONValue {
        ["apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(name), "uid": .string(uid),
         "controller": true, "blockOwnerDeletion": true]
    }

    /// Sets (or, with nil, removes) a `metadata` member.
    mutating func setMetadata(_ key: String, _ value: JSONValue?) {
        modify("metadata") { metadata in
            var m = metadata ?? .emptyObject
            m[key] = value
            metadata = m
        }
    }
}
