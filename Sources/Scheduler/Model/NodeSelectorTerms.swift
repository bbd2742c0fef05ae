import APIModel

/// One `nodeSelectorTerm`: label requirements (`matchExpressions`) and field requirements
/// (`matchFields`, only `metadata.name`, which DaemonSet pods use to pin themselves to a
/// node), all of which must hold. A term with neither matches no node, as in Kubernetes.
struct NodeSelectorTerm: Sendable, Equatable {
    var labelRequirements: [LabelSelector.Requirement]
    var nameRequirements: [LabelSelector.Requirement]

    init(labelRequirements: [LabelSelector.Requirement], nameRequirements: [LabelSelector.Requirement] = []) {
        self.labelRequirements = labelRequirements
        self.nameRequirements = nameRequirements
    }

    init(json: JSONValue) throws(SchedulingInputError) {
        labelRequirements = try Self.requirements(json["matchExpressions"], field: "matchExpressions")
        nameRequirements = try Self.requirements(json["matchFields"], field: "matchFields")
        for requirement in nameRequirements where requirement.key != "metadata.name" {
            throw SchedulingInputError("matchFields: only metadata.name is supported, not \(requirement.key)")
        }
    }

    func matches(nodeName: String, labels: [String: String]) -> Bool {
        if labelRequirements.isEmpty && nameRequirements.isEmpty { return false }
        for requirement in labelRequirements where !requirement.matches(labels) { return false }
        if !nameRequirements.isEmpty {
            let fields = ["metadata.name": nodeName]
            for requirement in nameRequirements where !requirement.matches(fields) { return false }
        }
        return true
    }

    /// Node selector operators: In, NotIn, Exists, DoesNotExist, Gt, Lt (integers).
    private static func requirements(_ json: JSONValue?, field: String) throws(SchedulingInputError) -> [LabelSelector.Requirement] {
        guard let list = json?.arrayValue else { return [] }
        var requirements: [LabelSelector.Requirement] = []
        for (index, expression) in list.enumerated() {
            let term = "\(field)[\(index)]"
            guard let key = expression["key"]?.stringValue else { throw SchedulingInputError("\(term).key is required") }
            let values = expression["values"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let op: LabelSelector.Requirement.Operator
            switch expression["operator"]?.stringValue ?? "" {
            case "In": op = .in
            case "NotIn": op = .notIn
            case "Exists": op = .exists
            case "DoesNotExist": op = .doesNotExist
            case "Gt": op = .greaterThan
            case "Lt": op = .lessThan
            case let other: throw SchedulingInputError("\(term).operator: \"\(other)\" is not one of In, NotIn, Exists, DoesNotExist, Gt, Lt")
            }
            if (op == .greaterThan || op == .lessThan) && (values.count != 1 || Int64(values[0]) == nil) {
                throw SchedulingInputError("\(term).values: \(op == .greaterThan ? "Gt" : "Lt") needs exactly one integer value")
            }
            requirements.append(LabelSelector.Requirement(key: key, op: op, values: values))
        }
        return requirements
    }
}

/// Required node affinity: the terms are ORed.
struct NodeSelectorTerms: Sendable, Equatable {
    var terms: [NodeSelectorTerm]

    func matches(nodeName: String, labels: [String: String]) -> Bool {
        terms.contains { $0.matches(nodeName: nodeName, labels: labels) }
    }
}

/// One `preferredDuringSchedulingIgnoredDuringExecution` entry of node affinity.
struct PreferredNodeTerm: Sendable, Equatable {
    var weight: Int64
    var term: NodeSelectorTerm
}
