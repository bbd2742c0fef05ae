/// The Swagger 2.0 document Kubernetes serves at `/openapi/v2`. kubectl 1.27 and 1.28 read it
/// (as gnostic protobuf) before `apply`/`create`/`replace`/`edit` — to see that the PATCH
/// operation of a kind takes `fieldValidation`, so validation is left to the server — and for
/// `explain` and strategic-merge patch metadata. It is derived from the same schemas, names and
/// operations as the v3 documents, so the two never disagree.
public struct OpenAPIV2Document: Sendable {
    /// What kubectl puts in Accept. The `@` is not legal in a media type, so Go's
    /// `mime.ParseMediaType` rejects it and a response must not carry it.
    public static let protobufAcceptType = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf"
    /// The Content-Type of the protobuf response (what Kubernetes answers with, `.` for `@`).
    public static let protobufMediaType = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"

    /// The Swagger 2.0 document as JSON.
    public let document: JSONValue
    /// `document` serialized as JSON.
    public let json: [UInt8]
    /// `document` as a gnostic `openapi.v2.Document` protobuf message.
    public let protobuf: [UInt8]
    /// A content hash (the same for both encodings), for `ETag`.
    public let hash: String

    /// Built once, on first use: the document depends only on the compiled-in schemas.
    public static let shared = OpenAPIV2Document(resources: ResourceRegistry.all)

    public init(resources: [ResourceInfo], serverVersion: String = "v1.32.4") {
        document = Self.build(resources: resources, serverVersion: serverVersion)
        json = document.encoded()
        protobuf = OpenAPIV2Protobuf.document(document)
        hash = ContentHash.hex(json)
    }

    static func build(resources: [ResourceInfo], serverVersion: String) -> JSONValue {
        var groupVersions: [GroupVersion] = []
        for r in resources where !groupVersions.contains(r.groupVersion) { groupVersions.append(r.groupVersion) }
        // One builder for every group-version: its components accumulate into the one
        // `definitions` map v2 has.
        var builder = OpenAPIBuilder(serverVersion: serverVersion)
        var paths: [(String, JSONValue)] = []
        for gv in groupVersions {
            let v3 = builder.document(for: gv, resources: resources.filter { $0.groupVersion == gv })
            for (path, item) in v3["paths"]?.objectValue ?? JSONObject() {
                paths.append((path, OpenAPIV2Conversion.pathItem(item)))
            }
        }
        var definitions: [(String, JSONValue)] = []
        for (name, schema) in builder.components where !schema.isNull {
            definitions.append((name, OpenAPIV2Conversion.schema(schema)))
        }
        paths.sort { $0.0 < $1.0 }
        definitions.sort { $0.0 < $1.0 }
        return [
            "swagger": "2.0",
            "info": ["title": "Kubernetes", "version": .string(serverVersion)],
            "paths": .object(JSONObject(keys: paths.map(\.0), values: paths.map(\.1))),
            "definitions": .object(JSONObject(keys: definitions.map(\.0), values: definitions.map(\.1))),
            "securityDefinitions": [
                "BearerToken": ["description": "Bearer Token authentication", "type": "apiKey", "name": "authorization", "in": "header"],
            ],
            "security": [["BearerToken": []]],
        ]
    }
}

/// OpenAPI v3 → Swagger 2.0 for the shapes `OpenAPIBuilder` produces: `#/components/schemas/`
/// refs become `#/definitions/`, `allOf: [ref]` wrappers become a plain `$ref` with the
/// wrapper's description beside it (as Kubernetes' v2 document has them), request bodies
/// become `in: body` parameters, and response/body media types become `consumes`/`produces`.
enum OpenAPIV2Conversion {
    static let v3RefPrefix = "#/components/schemas/"
    static let v2RefPrefix = "#/definitions/"
    static let operationVerbs: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch"]

    static func schema(_ value: JSONValue) -> JSONValue {
        guard case .object(let input) = value else { return value }
        var out = JSONObject()
        if let wrapped = input["allOf"]?.arrayValue, wrapped.count == 1, let ref = wrapped[0]["$ref"]?.stringValue {
            out["$ref"] = .string(v2Ref(ref))
        }
        for (key, item) in input {
            switch key {
            case "allOf":
                if out["$ref"] == nil { out[key] = .array((item.arrayValue ?? []).map(schema)) }
            case "$ref":
                out[key] = .string(v2Ref(item.stringValue ?? ""))
            case "properties":
                var properties = JSONObject()
                for (name, property) in item.objectValue ?? JSONObject() { properties[name] = schema(property) }
                out[key] = .object(properties)
            case "items":
                out[key] = schema(item)
            case "additionalProperties":
                out[key] = item.boolValue != nil ? item : schema(item)
            default:
                out[key] = item
            }
        }
        return .object(out)
    }

    static func v2Ref(_ ref: String) -> String {
        ref.hasPrefix(v3RefPrefix) ? v2RefPrefix + ref.dropFirst(v3RefPrefix.count) : ref
    }

    static func pathItem(_ value: JSONValue) -> JSONValue {
        guard case .object(let input) = value else { return value }
        var out = JSONObject()
        for (key, item) in input {
            if operationVerbs.contains(key) {
                out[key] = operation(item)
            } else if key == "parameters" {
                out[key] = .array((item.arrayValue ?? []).map(parameter))
            } else {
                out[key] = item
            }
        }
        return .object(out)
    }

    static func operation(_ value: JSONValue) -> JSONValue {
        guard case .object(let input) = value else { return value }
        var out = JSONObject()
        var parameters: [JSONValue] = []
        var consumes: [String] = []
        var produces: [String] = []
        if let body = input["requestBody"], let content = body["content"]?.objectValue {
            consumes = content.keys
            var parameter: JSONValue = ["name": "body", "in": "body", "required": .bool(body["required"]?.boolValue ?? false)]
            if let first = content.values.first, let bodySchema = first["schema"] { parameter["schema"] = schema(bodySchema) }
            parameters.append(parameter)
        }
        parameters += (input["parameters"]?.arrayValue ?? []).map(parameter)
        var responses = JSONObject()
        for (code, response) in input["responses"]?.objectValue ?? JSONObject() {
            var converted: JSONValue = ["description": response["description"] ?? ""]
            if let content = response["content"]?.objectValue {
                for type in content.keys where !produces.contains(type) { produces.append(type) }
                if let first = content.values.first, let responseSchema = first["schema"] { converted["schema"] = schema(responseSchema) }
            }
            responses[code] = converted
        }
        for (key, item) in input where !["parameters", "requestBody", "responses"].contains(key) { out[key] = item }
        if !consumes.isEmpty { out["consumes"] = .array(consumes.map { .string($0) }) }
        if !produces.isEmpty { out["produces"] = .array(produces.map { .string($0) }) }
        out["schemes"] = ["https"]
        if !parameters.isEmpty { out["parameters"] = .array(parameters) }
        out["responses"] = .object(responses)
        return .object(out)
    }

    /// `{name, in, schema: {type, uniqueItems}}` → `{name, in, type, uniqueItems}`.
    static func parameter(_ value: JSONValue) -> JSONValue {
        guard case .object(let input) = value else { return value }
        var out = JSONObject()
        for (key, item) in input {
            if key == "schema", case .object(let inner) = item {
                for (innerKey, innerItem) in inner where innerKey != "$ref" { out[innerKey] = innerItem }
            } else {
                out[key] = item
            }
        }
        return .object(out)
    }
}
