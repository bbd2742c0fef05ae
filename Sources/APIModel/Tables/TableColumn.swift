import Foundation

/// One `columnDefinitions` entry of a Table. Priority 0 columns always print; priority 1 columns
/// only with `kubectl get -o wide`.
struct TableColumn: Sendable {
    var name: String
    var type: String
    var format: String
    var description: String
    var priority: Int64

    init(_ name: String, type: String = "string", format: String = "", priority: Int64 = 0, _ description: String = "") {
        self.name = name
        self.type = type
        self.format = format
        self.description = description
        self.priority = priority
    }

    static func nameColumn(_ description: String = "The object's name, unique within its namespace.", priority: Int64 = 0) -> TableColumn {
        TableColumn("Name", format: "name", priority: priority, description)
    }

    static let age = TableColumn("Age", "Time since the object was created.")
    static let containers = TableColumn("Containers", priority: 1, "Names of the containers in the pod template.")
    static let images = TableColumn("Images", priority: 1, "Images of the containers in the pod template.")
    static let selector = TableColumn("Selector", priority: 1, "The label selector of the pods it manages.")

    var json: JSONValue {
        ["name": .string(name), "type": .string(type), "format": .string(format),
         "description": .string(description), "priority": .int(priority)]
    }
}

/// A kind's printer: its columns and how one object becomes the cells under them. Cells always
/// include the `-o wide` ones, as Kubernetes' server-side printing does.
struct TablePrinter: Sendable {
    var columns: [TableColumn]
    var cells: @Sendable (JSONValue, Date) -> [JSONValue]
}

/// Field access shortcuts for the printers (objects are JSON trees, missing means unset).
extension JSONValue {
    func tableString(_ keys: String...) -> String { value(at: keys)?.stringValue ?? "" }
    func tableInt(_ keys: String...) -> Int64 { value(at: keys)?.intValue ?? 0 }
    func tableArray(_ keys: String...) -> [JSONValue] { value(at: keys)?.arrayValue ?? [] }
    func tableObject(_ keys: String...) -> JSONObject? { value(at: keys)?.objectValue }
    /// Present and not JSON null (Go's non-nil pointer).
    func tableHas(_ keys: String...) -> Bool {
        guard let v = value(at: keys) else { return false }
        return !v.isNull
    }
    var tableName: String { tableString("metadata", "name") }
    func tableAge(_ now: Date) -> JSONValue { .string(HumanDuration.since(value(at: ["metadata", "creationTimestamp"]), now: now)) }
}

/// How Kubernetes prints labels and selectors in table cells.
enum TableFormat {
    /// `a=b,c=d` sorted by key, or "<none>" (labels.FormatLabels).
    static func labels(_ map: JSONObject?) -> String {
        guard let map, !map.isEmpty else { return "<none>" }
        return map.keys.sorted().map { "\($0)=\(map[$0]?.stringValue ?? "")" }.joined(separator: ",")
    }

    /// A metav1.LabelSelector as selector text (`app=web,tier in (a,b),!legacy`); "" for a nil or
    /// empty selector; nil when an operator is unknown (Kubernetes then prints "<invalid>"/"<error>").
    static func selector(_ selector: JSONValue?) -> String? {
        guard let selector, let object = selector.objectValue else { return "" }
        var requirements: [(key: String, text: String)] = []
        if let matchLabels = object["matchLabels"]?.objectValue {
            for (key, value) in matchLabels { requirements.append((key, "\(key)=\(value.stringValue ?? "")")) }
        }
        for expression in object["matchExpressions"]?.arrayValue ?? [] {
            let key = expression["key"]?.stringValue ?? ""
            let values = (expression["values"]?.arrayValue ?? []).compactMap(\.stringValue).sorted()
            switch expression["operator"]?.stringValue ?? "" {
            case "In": requirements.append((key, "\(key) in (\(values.joined(separator: ",")))"))
            case "NotIn": requirements.append((key, "\(key) notin (\(values.joined(separator: ",")))"))
            case "Exists": requirements.append((key, key))
            case "DoesNotExist": requirements.append((key, "!\(key)"))
            default: return nil
            }
        }
        return requirements.enumerated().sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }
            .map(\.element.text).joined(separator: ",")
    }

    /// metav1.FormatLabelSelector: like `selector`, but "<none>" when empty and "<error>" when invalid.
    static func labelSelector(_ selector: JSONValue?) -> String {
        guard let text = self.selector(selector) else { return "<error>" }
        return text.isEmpty ? "<none>" : text
    }

    /// Container names and images of a pod template, comma-joined.
    static func containerCells(_ podSpec: JSONValue?) -> (names: JSONValue, images: JSONValue) {
        let containers = podSpec?["containers"]?.arrayValue ?? []
        let names = containers.map { $0["name"]?.stringValue ?? "" }.joined(separator: ",")
        let images = containers.map { $0["image"]?.stringValue ?? "" }.joined(separator: ",")
        return (.string(names), .string(images))
    }

    /// An IntOrString as Kubernetes prints it.
    static func intOrString(_ value: JSONValue?) -> String? {
        switch value {
        case .int(let i)?: return String(i)
        case .double(let d)?: return String(Int64(d))
        case .string(let s)?: return s
        default: return nil
        }
    }

    static func bool(_ value: JSONValue?) -> String {
        guard let b = value?.boolValue else { return "<unset>" }
        return b ? "True" : "False"
    }
}
