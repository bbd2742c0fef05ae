import APIModel

/// Reading a Node's conditions, for `skiff up` (wait until Ready) and `skiff status`.
enum NodeConditions {
    /// The status (`True`, `False`, `Unknown`) of the condition `type`, nil when absent.
    static func status(of type: String, in node: JSONValue) -> String? {
        node["status"]?["conditions"]?.arrayValue?
            .first { $0["type"]?.stringValue == type }?["status"]?.stringValue
    }

    static func isReady(_ node: JSONValue) -> Bool {
        status(of: "Ready", in: node) == "True"
    }
}
