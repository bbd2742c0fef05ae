/// OpenAPI v3 documents generated from the schemas, in the layout Kubernetes serves under
/// `/openapi/v3`: one document per group-version with `components.schemas` named like
/// `io.k8s.api.core.v1.Pod`, properties referring to components through `allOf: [$ref]`, the
/// `x-kubernetes-*` extensions, and an operation per verb. kubectl reads these to decide on
/// server-side field validation (the PATCH operation's `fieldValidation` parameter), to build
/// strategic merge patches, and for `kubectl explain`.
public struct OpenAPIDocuments: Sendable {
    /// The `/openapi/v3` discovery document.
    public let root: JSONValue
    /// Serialized per group-version documents, keyed by `api/v1`, `apis/apps/v1`, ….
    public let documents: [String: [UInt8]]
    /// The content hash of each document, as used in `?hash=` of `serverRelativeURL`.
    public let hashes: [String: String]

    /// Built once, on first use: the documents depend only on the compiled-in schemas.
    public static let shared = OpenAPIDocuments(resources: ResourceRegistry.all)

    public init(resources: [ResourceInfo], serverVersion: String = "v1.32.4") {
        var groupVersions: [GroupVersion] = []
        for r in resources where !groupVersions.contains(r.groupVersion) { groupVersions.append(r.groupVersion) }
        var documents: [String: [UInt8]] = [:]
        var hashes: [String: String] = [:]
        var paths = JSONObject()
        for gv in groupVersions {
            var builder = OpenAPIBuilder(serverVersion: serverVersion)
            let doc = builder.document(for: gv, resources: resources.filter { $0.groupVersion == gv })
            let bytes = doc.encoded()
            let hash = ContentHash.hex(bytes)
            documents[gv.openAPIPath] = bytes
            hashes[gv.openAPIPath] = hash
            paths[gv.openAPIPath] = ["serverRelativeURL": .string("/openapi/v3/\(gv.openAPIPath)?hash=\(hash)")]
        }
        self.documents = documents
        self.hashes = hashes
        self.root = ["paths": .object(paths)]
    }

    /// The document for a `/openapi/v3/<path>` request (`api/v1`, `apis/apps/v1`).
    public func document(path: String) -> [UInt8]? { documents[path] }
}

/// A cache key for documents: 128 bits from two FNV-1a passes, upper-case hex. Clients only
/// compare it, so a cryptographic hash would buy nothing here.
enum ContentHash {
    static func hex(_ bytes: [UInt8]) -> String {
        var a: UInt64 = 0xcbf2_9ce4_8422_2325
        var b: UInt64 = 0x6c62_272e_07bb_0142
        for byte in bytes {
            a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
            b = b &+ (b >> 29)
        }
        return (String(a, radix: 16, uppercase: true).leftPadded(to: 16) + String(b, radix: 16, uppercase: true).leftPadded(to: 16))
    }
}

struct OpenAPIBuilder {
    let serverVersion: String
    var components = JSONObject()

    init(serverVersion: String) { self.serverVersion = serverVersion }

    static let timeName = "io.k8s.apimachinery.pkg.apis.meta.v1.Time"
    static let quantityName = "io.k8s.apimachinery.pkg.api.resource.Quantity"
    static let intOrStringName = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
    static let patchName = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch"

    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }

    mutating func document(for gv: GroupVersion, resources: [ResourceInfo]) -> JSONValue {
        var paths = JSONObject()
        for resource in resources {
            _ = schemaJSON(resource.schema, asProperty: false)
            register(resource: resource)
            addList(resource)
            for (path, item) in OpenAPIPaths(resource: resource).pathItems() { paths[path] = item }
        }
        // Bodies some operations use.
        for (gvk, schema) in ResourceRegistry.bodyKinds {
            _ = schemaJSON(schema, asProperty: false)
            if case .object(let o) = schema, let name = o.name { addGVK(name, gvk) }
        }
        components[Self.patchName] = ["type": "object", "description": "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body."]
        return [
            "openapi": "3.0.0",
            "info": ["title": "Kubernetes", "version": .string(serverVersion)],
            "paths": .object(paths),
            "components": ["schemas": .object(components), "securitySchemes": [
                "BearerToken": ["type": "apiKey", "description": "Bearer Token authentication", "name": "authorization", "in": "header"],
            ]],
            "security": [["BearerToken": []]],
        ]
    }

    mutating func register(resource: ResourceInfo) {
        guard case .object(let o) = resource.schema, let name = o.name else { return }
        addGVK(name, resource.gvk)
    }

    mutating func addGVK(_ name: String, _ gvk: GroupVersionKind) {
        guard var component = components[name] else { return }
        var list = component["x-kubernetes-group-version-kind"]?.arrayValue ?? []
        let entry: JSONValue = ["group": .string(gvk.group), "kind": .string(gvk.kind), "version": .string(gvk.version)]
        if !list.contains(entry) { list.append(entry) }
        component["x-kubernetes-group-version-kind"] = .array(list)
        components[name] = component
    }

    mutating func addList(_ resource: ResourceInfo) {
        guard case .object(let o) = resource.schema, let name = o.name else { return }
        let listName = name + "List"
        components[listName] = [
            "type": "object",
            "description": .string("A list of \(resource.kind) objects."),
            "required": ["items"],
            "properties": [
                "apiVersion": ["type": "string", "description": "Versioned schema of this representation of an object."],
                "items": ["type": "array", "description": .string("List of \(resource.plural)."),
                          "items": ["allOf": [Self.ref(name)]]],
                "kind": ["type": "string", "description": "REST resource this object represents."],
                "metadata": ["allOf": [Self.ref("io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta")], "default": .emptyObject,
                             "description": "Standard list metadata."],
            ],
            "x-kubernetes-group-version-kind": [["group": .string(resource.group), "kind": .string(resource.listKind),
                                                  "version": .string(resource.version)]],
        ]
    }

    /// The JSON schema of `schema`; named objects become components and are returned as refs
    /// (wrapped in `allOf` when used as a property, so a description may sit beside them).
    mutating func schemaJSON(_ schema: Schema, asProperty: Bool) -> JSONValue {
        switch schema {
        case .object(let o):
            guard let name = o.name else { return objectJSON(o) }
            if components[name] == nil {
                components[name] = .null  // reserve the name first: recursion must not rebuild it
                let body = objectJSON(o)
                components[name] = body
            }
            return asProperty ? ["allOf": [Self.ref(name)]] : Self.ref(name)
        case .array(let a):
            var out: JSONValue = ["type": "array", "items": schemaJSON(a.items, asProperty: true)]
            if let listType = a.listType { out["x-kubernetes-list-type"] = .string(listType.rawValue) }
            if !a.mapKeys.isEmpty { out["x-kubernetes-list-map-keys"] = .array(a.mapKeys.map { .string($0) }) }
            return out
        case .map(let value):
            return ["type": "object", "additionalProperties": schemaJSON(value, asProperty: true)]
        case .string(let format):
            if format == .dateTime {
                namedScalar(Self.timeName, ["type": "string", "format": "date-time",
                                            "description": "Time is a wrapper around time.Time which supports correct marshaling to YAML and JSON (RFC 3339)."])
                return asProperty ? ["allOf": [Self.ref(Self.timeName)]] : Self.ref(Self.timeName)
            }
            var out: JSONValue = ["type": "string"]
            if format != .plain { out["format"] = .string(format.rawValue) }
            return out
        case .integer(let format):
            return ["type": "integer", "format": .string(format.rawValue)]
        case .number:
            return ["type": "number", "format": "double"]
        case .boolean:
            return ["type": "boolean"]
        case .intOrString:
            namedScalar(Self.intOrStringName, ["type": "string", "format": "int-or-string",
                                               "description": "An int32 or a string."])
            return asProperty ? ["allOf": [Self.ref(Self.intOrStringName)]] : Self.ref(Self.intOrStringName)
        case .quantity:
            namedScalar(Self.quantityName, ["type": "string",
                                            "description": "A fixed-point number with a suffix (100m, 1Gi, 1e3)."])
            return asProperty ? ["allOf": [Self.ref(Self.quantityName)]] : Self.ref(Self.quantityName)
        case .any:
            return ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
        }
    }

    mutating func namedScalar(_ name: String, _ body: JSONValue) {
        if components[name] == nil { components[name] = body }
    }

    mutating func objectJSON(_ o: ObjectSchema) -> JSONValue {
        var out: JSONValue = ["type": "object"]
        if !o.description.isEmpty { out["description"] = .string(o.description) }
        if !o.requiredFieldNames.isEmpty { out["required"] = .array(o.requiredFieldNames.map { .string($0) }) }
        var properties = JSONObject()
        for field in o.fields {
            var p = schemaJSON(field.schema, asProperty: true)
            if !field.description.isEmpty { p["description"] = .string(field.description) }
            if let strategy = field.patchStrategy.extensionValue { p["x-kubernetes-patch-strategy"] = .string(strategy) }
            if let key = field.patchMergeKey { p["x-kubernetes-patch-merge-key"] = .string(key) }
            properties[field.name] = p
        }
        out["properties"] = .object(properties)
        if o.preservesUnknownFields { out["x-kubernetes-preserve-unknown-fields"] = true }
        return out
    }
}
