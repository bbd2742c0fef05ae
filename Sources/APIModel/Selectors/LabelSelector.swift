/// A Kubernetes label selector: a conjunction of requirements on an object's labels.
///
/// It is built from the query-string syntax (`app=web,tier!=db,env in (a,b),!legacy,track`)
/// or from a `metav1.LabelSelector` object (`matchLabels` / `matchExpressions`), and is pure
/// so that the apiserver, its watch cache and later the controllers share one meaning.
public struct LabelSelector: Sendable, Equatable, CustomStringConvertible {
    /// One condition on one label key.
    public struct Requirement: Sendable, Equatable {
        public enum Operator: String, Sendable, Equatable {
            case equals = "="
            case notEquals = "!="
            case `in` = "in"
            case notIn = "notin"
            case exists = "exists"
            case doesNotExist = "!"
            case greaterThan = "gt"
            case lessThan = "lt"
        }

        public var key: String
        public var op: Operator
        /// Sorted, duplicate-free; one value for `=`/`!=`/`gt`/`lt`, none for the existence checks.
        public var values: [String]

        public init(key: String, op: Operator, values: [String]) {
            self.key = key
            self.op = op
            self.values = Array(Set(values)).sorted()
        }

        /// Kubernetes' semantics: `!=` and `notin` also match objects without the label.
        public func matches(_ labels: [String: String]) -> Bool {
            let value = labels[key]
            switch op {
            case .equals: return value != nil && value == values.first
            case .notEquals: return value == nil || value != values.first
            case .in: return value.map { values.contains($0) } ?? false
            case .notIn: return value.map { !values.contains($0) } ?? true
            case .exists: return value != nil
            case .doesNotExist: return value == nil
            case .greaterThan, .lessThan:
                guard let value, let have = Int64(value), let bound = values.first.flatMap({ Int64($0) }) else { return false }
                return op == .greaterThan ? have > bound : have < bound
            }
        }

        /// The requirement in the query-string syntax.
        public var description: String {
            switch op {
            case .equals: return "\(key)=\(values.first ?? "")"
            case .notEquals: return "\(key)!=\(values.first ?? "")"
            case .in: return "\(key) in (\(values.joined(separator: ",")))"
            case .notIn: return "\(key) notin (\(values.joined(separator: ",")))"
            case .exists: return key
            case .doesNotExist: return "!\(key)"
            case .greaterThan: return "\(key)>\(values.first ?? "")"
            case .lessThan: return "\(key)<\(values.first ?? "")"
            }
        }
    }

    /// All requirements, each of which must hold.
    public var requirements: [Requirement]
    /// A selector that matches nothing (a `null` selector where Kubernetes means "none").
    public private(set) var matchesNothing: Bool = false

    public init(requirements: [Requirement]) {
        self.requirements = requirements
    }

    /// Matches every object.
    public static let everything = LabelSelector(requirements: [])

    /// Matches no object.
    public static let nothing: LabelSelector = {
        var selector = LabelSelector(requirements: [])
        selector.matchesNothing = true
        return selector
    }()

    public var isEverything: Bool { requirements.isEmpty && !matchesNothing }

    public func matches(_ labels: [String: String]) -> Bool {
        if matchesNothing { return false }
        for requirement in requirements where !requirement.matches(labels) { return false }
        return true
    }

    /// Reads `metadata.labels` of an object and matches them.
    public func matches(object: JSONValue) -> Bool {
        if isEverything { return true }
        return matches(LabelSelector.labels(of: object))
    }

    /// `metadata.labels` as a dictionary (non-string values are ignored).
    public static func labels(of object: JSONValue) -> [String: String] {
        guard let labels = object["metadata"]?["labels"]?.objectValue else { return [:] }
        var result: [String: String] = [:]
        result.reserveCapacity(labels.count)
        for (key, value) in labels {
            if let string = value.stringValue { result[key] = string }
        }
        return result
    }

    public var description: String {
        matchesNothing ? "<none>" : requirements.map(\.description).joined(separator: ",")
    }

    // MARK: metav1.LabelSelector

    /// Builds a selector from a `metav1.LabelSelector` object. `null` matches nothing (as
    /// Kubernetes treats a missing selector on e.g. a Service); `{}` matches everything.
    public init(json: JSONValue) throws {
        if json.isNull {
            self = .nothing
            return
        }
        guard let object = json.objectValue else {
            throw SelectorError("a label selector must be an object with matchLabels and/or matchExpressions, got \(json.typeName)")
        }
        var requirements: [Requirement] = []
        for (key, _) in object where key != "matchLabels" && key != "matchExpressions" {
            throw SelectorError("unknown field \"\(key)\" in label selector (expected matchLabels, matchExpressions)")
        }
        if let matchLabels = object["matchLabels"], !matchLabels.isNull {
            guard let labels = matchLabels.objectValue else { throw SelectorError("matchLabels must be an object of strings") }
            for (key, value) in labels {
                guard let string = value.stringValue else {
                    throw SelectorError("matchLabels[\(key)]: the value must be a string, got \(value.typeName)")
                }
                try LabelSyntax.validateKey(key, term: "matchLabels[\(key)]")
                try LabelSyntax.validateValue(string, term: "matchLabels[\(key)]")
                requirements.append(Requirement(key: key, op: .equals, values: [string]))
            }
        }
        if let expressions = object["matchExpressions"], !expressions.isNull {
            guard let list = expressions.arrayValue else { throw SelectorError("matchExpressions must be a list") }
            for (index, expression) in list.enumerated() {
                requirements.append(try Self.requirement(expression: expression, index: index))
            }
        }
        self.init(requirements: requirements)
    }

    private static func requirement(expression: JSONValue, index: Int) throws -> Requirement {
        let term = "matchExpressions[\(index)]"
        guard let key = expression["key"]?.stringValue else { throw SelectorError("\(term).key: a string key is required") }
        try LabelSyntax.validateKey(key, term: "\(term).key")
        guard let opName = expression["operator"]?.stringValue else {
            throw SelectorError("\(term).operator: required (In, NotIn, Exists, DoesNotExist)")
        }
        var values: [String] = []
        if let raw = expression["values"], !raw.isNull {
            guard let array = raw.arrayValue else { throw SelectorError("\(term).values must be a list of strings") }
            for value in array {
                guard let string = value.stringValue else { throw SelectorError("\(term).values must be a list of strings") }
                try LabelSyntax.validateValue(string, term: "\(term).values")
                values.append(string)
            }
        }
        switch opName {
        case "In", "NotIn":
            if values.isEmpty { throw SelectorError("\(term).values: must be non-empty when operator is \(opName)") }
            return Requirement(key: key, op: opName == "In" ? .in : .notIn, values: values)
        case "Exists", "DoesNotExist":
            if !values.isEmpty { throw SelectorError("\(term).values: must be empty when operator is \(opName)") }
            return Requirement(key: key, op: opName == "Exists" ? .exists : .doesNotExist, values: [])
        default:
            throw SelectorError("\(term).operator: \"\(opName)\" is not a valid label selector operator (In, NotIn, Exists, DoesNotExist)")
        }
    }
}
