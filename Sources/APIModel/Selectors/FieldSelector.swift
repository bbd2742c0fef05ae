/// A Kubernetes field selector: `metadata.name=web,spec.nodeName!=n1`.
///
/// Only `=`, `==` and `!=` exist, and only a few fields per kind are selectable (Kubernetes
/// answers 400 for any other); `supportedFields(for:)` lists them and `validate(for:)`
/// checks a selector against them. Values may escape `\`, `,` and `=` with a backslash.
public struct FieldSelector: Sendable, Equatable, CustomStringConvertible {
    public struct Requirement: Sendable, Equatable {
        public var field: String
        /// `true` for `=`/`==`, `false` for `!=`.
        public var equals: Bool
        public var value: String

        public init(field: String, equals: Bool, value: String) {
            self.field = field
            self.equals = equals
            self.value = value
        }

        public func matches(_ object: JSONValue) -> Bool {
            (FieldSelector.fieldValue(field, of: object) == value) == equals
        }
    }

    public var requirements: [Requirement]

    public init(requirements: [Requirement]) { self.requirements = requirements }

    public static let everything = FieldSelector(requirements: [])

    public var isEverything: Bool { requirements.isEmpty }

    public func matches(_ object: JSONValue) -> Bool {
        for requirement in requirements where !requirement.matches(object) { return false }
        return true
    }

    /// The exact value `metadata.name=` demands, if any: lets a store serve it by key.
    public var requiredName: String? {
        requirements.first { $0.field == "metadata.name" && $0.equals }?.value
    }

    /// The exact value `metadata.namespace=` demands, if any.
    public var requiredNamespace: String? {
        requirements.first { $0.field == "metadata.namespace" && $0.equals }?.value
    }

    public var description: String {
        requirements.map { "\($0.field)\($0.equals ? "=" : "!=")\(Self.escape($0.value))" }.joined(separator: ",")
    }

    public init(parsing text: String) throws {
        var requirements: [Requirement] = []
        for term in Self.splitUnescaped(text, on: ",") {
            let trimmed = term.selectorTrimmed()
            if trimmed.isEmpty {
                if text.selectorTrimmed().isEmpty { continue }
                throw SelectorError("invalid field selector \"\(text)\": empty term")
            }
            requirements.append(try Self.parseTerm(String(trimmed)))
        }
        self.init(requirements: requirements)
    }

    /// Parses, then rejects fields `resource` cannot be selected by.
    public init(parsing text: String, resource: ResourceInfo) throws {
        try self.init(parsing: text)
        try validate(for: resource)
    }

    /// Throws naming the first field the resource does not support.
    public func validate(for resource: ResourceInfo) throws {
        let supported = Self.supportedFields(for: resource)
        for requirement in requirements where !supported.contains(requirement.field) {
            throw SelectorError(
                "field label not supported: \(requirement.field) (\(resource.qualifiedPlural) can be selected by \(supported.sorted().joined(separator: ", ")))")
        }
    }

    private static func parseTerm(_ term: String) throws -> Requirement {
        // The first unescaped operator splits the term.
        var index = term.startIndex
        var escaped = false
        while index < term.endIndex {
            let character = term[index]
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "!" || character == "=" {
                let field = String(term[..<index].selectorTrimmed())
                var rest = term[index...]
                let equals: Bool
                if rest.hasPrefix("!=") {
                    equals = false
                    rest = rest.dropFirst(2)
                } else if rest.hasPrefix("==") {
                    equals = true
                    rest = rest.dropFirst(2)
                } else if rest.hasPrefix("=") {
                    equals = true
                    rest = rest.dropFirst(1)
                } else {
                    break
                }
                if field.isEmpty { throw SelectorError("invalid field selector term \"\(term)\": the field name is missing") }
                return Requirement(field: field, equals: equals, value: try unescape(String(rest), term: term))
            }
            index = term.index(after: index)
        }
        throw SelectorError("invalid field selector term \"\(term)\": expected field=value, field==value or field!=value")
    }

    private static func splitUnescaped(_ text: String, on separator: Character) -> [Substring] {
        var parts: [Substring] = []
        var start = text.startIndex
        var index = text.startIndex
        var escaped = false
        while index < text.endIndex {
            let character = text[index]
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == separator {
                parts.append(text[start..<index])
                start = text.index(after: index)
            }
            index = text.index(after: index)
        }
        parts.append(text[start...])
        return parts
    }

    private static func unescape(_ value: String, term: String) throws -> String {
        guard value.contains("\\") else { return value }
        var out = ""
        var escaped = false
        for character in value {
            if escaped {
                guard character == "\\" || character == "," || character == "=" else {
                    throw SelectorError("invalid field selector term \"\(term)\": invalid escape sequence \\\(character)")
                }
                out.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                if character == "=" {
                    throw SelectorError("invalid field selector term \"\(term)\": unescaped '\(character)' in the value")
                }
                out.append(character)
            }
        }
        if escaped { throw SelectorError("invalid field selector term \"\(term)\": trailing backslash") }
        return out
    }

    private static func escape(_ value: String) -> String {
        var out = ""
        for character in value {
            if character == "\\" || character == "," || character == "=" { out.append("\\") }
            out.append(character)
        }
        return out
    }
}
