import APIModel

/// Pod admission of Kubernetes' DefaultTolerationSeconds plugin: a new pod that does not
/// already tolerate the node lifecycle taints `node.kubernetes.io/not-ready` and
/// `node.kubernetes.io/unreachable` (NoExecute) gets a toleration of each for 300 seconds,
/// so its pods survive a short node outage and are evicted (and replaced) after five minutes.
enum DefaultTolerations {
    static let taintKeys = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"]
    static let seconds: Int64 = 300

    /// Adds the missing default tolerations to `object` when it is a pod.
    static func admit(_ object: inout JSONValue, resource: ResourceInfo) {
        guard resource.group.isEmpty, resource.kind == "Pod" else { return }
        let existing = object["spec"]?["tolerations"]?.arrayValue ?? []
        var added: [JSONValue] = []
        for key in taintKeys where !existing.contains(where: { tolerates($0, key: key) }) {
            added.append(["key": .string(key), "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": .int(seconds)])
        }
        guard !added.isEmpty else { return }
        object.modify("spec") { spec in
            var s = spec ?? .emptyObject
            s["tolerations"] = .array(existing + added)
            spec = s
        }
    }

    /// Whether `toleration` already covers the NoExecute taint `key`: same key (or an empty key,
    /// which with Exists matches every taint) and the NoExecute effect or none.
    private static func tolerates(_ toleration: JSONValue, key: String) -> Bool {
        let tolerationKey = toleration["key"]?.stringValue ?? ""
        let effect = toleration["effect"]?.stringValue ?? ""
        return (tolerationKey == key || tolerationKey.isEmpty) && (effect.isEmpty || effect == "NoExecute")
    }
}
