/// FieldsV1 path elements: how one step into an object is spelled in `managedFields` and in
/// conflict messages.
enum FieldPathElement {
    /// `f:<name>`: a struct field or a map key.
    static func field(_ name: String) -> String { "f:" + name }

    /// `k:{"containerPort":80,"protocol":"TCP"}`: an associative-list item by its key fields,
    /// sorted by name. `nil` when the item lacks a key that has no default.
    static func key(of item: JSONValue, keys: [String]) -> String? {
        guard case .object(let object) = item else { return nil }
        var keyObject = JSONObject()
        for name in keys.sorted() {
            if let value = object[name], !value.isNull {
                keyObject.appendUnchecked(name, value)
            } else if let value = defaultKeyValues[name] {
                // Key fields with an API default (`protocol: TCP`) identify the item with the
                // default, as the defaulted object will be stored.
                keyObject.appendUnchecked(name, value)
            } else {
                return nil
            }
        }
        return "k:" + JSONValue.object(keyObject).jsonString()
    }

    /// `v:"value"`: an item of a set list.
    static func value(_ item: JSONValue) -> String { "v:" + item.jsonString() }

    /// Map-list key fields that Kubernetes defaults, so an item written without them still has
    /// an identity.
    static let defaultKeyValues: [String: JSONValue] = ["protocol": "TCP"]

    /// Kubernetes' order inside a FieldsV1 node: fields, then keys, then values, then indices;
    /// within one kind by spelling (indices numerically).
    static func precedes(_ a: String, _ b: String) -> Bool {
        let ra = rank(a)
        let rb = rank(b)
        if ra != rb { return ra < rb }
        if ra == 3, let ia = Int(a.dropFirst(2)), let ib = Int(b.dropFirst(2)) { return ia < ib }
        return a < b
    }

    private static func rank(_ element: String) -> Int {
        switch element.first {
        case "f": return 0
        case "k": return 1
        case "v": return 2
        case "i": return 3
        default: return 4
        }
    }

    /// Renders a path as Kubernetes prints it in conflicts: `.spec.replicas`,
    /// `.spec.template.spec.containers[name="c"].image`, `.metadata.finalizers[="x"]`.
    static func render(_ path: [String]) -> String {
        var out = ""
        for element in path {
            let body = String(element.dropFirst(2))
            switch element.prefix(2) {
            case "f:":
                out += "." + body
            case "k:":
                if let parsed = try? JSONValue(json: body), case .object(let object) = parsed {
                    out += "[" + object.map { "\($0.0)=\($0.1.jsonString())" }.joined(separator: ",") + "]"
                } else {
                    out += "[" + body + "]"
                }
            case "v:":
                out += "[=" + body + "]"
            case "i:":
                out += "[" + body + "]"
            default:
                out += "." + element
            }
        }
        return out
    }
}
