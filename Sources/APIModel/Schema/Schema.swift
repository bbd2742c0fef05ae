/// The shape of a Kubernetes kind: the single source from which unknown-field validation,
/// strategic-merge-patch keys, type checks and the OpenAPI v3 documents all derive, so that
/// they can never disagree with each other.
public indirect enum Schema: Sendable {
    /// A struct with named fields.
    case object(ObjectSchema)
    /// A list; list semantics (`x-kubernetes-list-type`) live in `ArraySchema`.
    case array(ArraySchema)
    /// A string-keyed map whose values all have one schema (`additionalProperties`).
    case map(Schema)
    case string(StringFormat)
    case integer(IntegerFormat)
    case number
    case boolean
    /// `x-kubernetes-int-or-string`: ports and percentages such as `targetPort` or `maxSurge`.
    case intOrString
    /// A resource quantity (`500m`, `1Gi`), which may be written as a number or a string.
    case quantity
    /// Anything goes (`x-kubernetes-preserve-unknown-fields`): embedded objects (`RawExtension`),
    /// and subtrees skiff deliberately does not model. Patches here use merge-patch semantics.
    case any

    public enum StringFormat: String, Sendable {
        case plain = ""
        case dateTime = "date-time"
        case byte
    }

    public enum IntegerFormat: String, Sendable {
        case int32
        case int64
    }

    public var objectSchema: ObjectSchema? { if case .object(let o) = self { return o } else { return nil } }
    public var arraySchema: ArraySchema? { if case .array(let a) = self { return a } else { return nil } }

    /// The schema of a member: a field for objects, the value schema for maps, `.any` for `.any`.
    public func member(_ name: String) -> Schema? {
        switch self {
        case .object(let o): return o.field(named: name)?.schema
        case .map(let value): return value
        case .any: return .any
        default: return nil
        }
    }
}

/// A named or anonymous struct type.
public struct ObjectSchema: Sendable {
    /// The OpenAPI component name (`io.k8s.api.core.v1.Container`); `nil` inlines the schema.
    public let name: String?
    /// One line, shown by `kubectl explain`.
    public let description: String
    public let fields: [Field]
    private let index: [String: Int]
    /// Unknown members are accepted and kept (`x-kubernetes-preserve-unknown-fields`).
    public let preservesUnknownFields: Bool

    public init(name: String?, description: String, fields: [Field], preservesUnknownFields: Bool = false) {
        self.name = name
        self.description = description
        self.fields = fields
        var index: [String: Int] = [:]
        for (i, f) in fields.enumerated() { index[f.name] = i }
        self.index = index
        self.preservesUnknownFields = preservesUnknownFields
    }

    public func field(named name: String) -> Field? {
        guard let i = index[name] else { return nil }
        return fields[i]
    }

    public var requiredFieldNames: [String] { fields.filter(\.required).map(\.name) }
}

/// How strategic merge patch combines a field (Kubernetes' `patchStrategy` struct tag).
public struct PatchStrategy: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// Lists: merge items by `patchMergeKey` (or union primitives).
    public static let merge = PatchStrategy(rawValue: 1)
    /// Replace the whole value.
    public static let replace = PatchStrategy(rawValue: 2)
    /// Objects (unions): keys not listed in `$retainKeys` are cleared.
    public static let retainKeys = PatchStrategy(rawValue: 4)

    /// The `x-kubernetes-patch-strategy` spelling (`merge,retainKeys`).
    public var extensionValue: String? {
        var parts: [String] = []
        if contains(.merge) { parts.append("merge") }
        if contains(.replace) { parts.append("replace") }
        if contains(.retainKeys) { parts.append("retainKeys") }
        return parts.isEmpty ? nil : parts.joined(separator: ",")
    }
}

/// One member of an object schema.
public struct Field: Sendable {
    public let name: String
    public let schema: Schema
    public let description: String
    public let required: Bool
    public let patchStrategy: PatchStrategy
    /// The key identifying list items for `patchStrategy: merge` (`name`, `containerPort`, …).
    public let patchMergeKey: String?

    public init(name: String, schema: Schema, description: String = "", required: Bool = false,
                patchStrategy: PatchStrategy = [], patchMergeKey: String? = nil) {
        self.name = name
        self.schema = schema
        self.description = description
        self.required = required
        self.patchStrategy = patchStrategy
        self.patchMergeKey = patchMergeKey
    }
}

/// `x-kubernetes-list-type`.
public enum ListType: String, Sendable {
    /// The list is one value: apply replaces it whole.
    case atomic
    /// Items are unique scalars.
    case set
    /// Items are objects identified by `ArraySchema.mapKeys`.
    case map
}

public struct ArraySchema: Sendable {
    public let items: Schema
    public let listType: ListType?
    /// `x-kubernetes-list-map-keys`, when `listType == .map`.
    public let mapKeys: [String]

    public init(items: Schema, listType: ListType? = nil, mapKeys: [String] = []) {
        self.items = items
        self.listType = listType
        self.mapKeys = mapKeys
    }
}
