/// Encodes a Swagger 2.0 JSON document as the gnostic `openapi.v2.Document` protobuf message
/// (`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`), which is what kubectl
/// asks `/openapi/v2` for. Field numbers follow gnostic's `openapiv2/OpenAPIv2.proto`. Only
/// the members our documents use are encoded; anything else is left out, never mis-encoded.
///
/// Free-form values (`default`, `enum`, `example`, `x-*` extensions) are gnostic `Any`
/// messages whose `yaml` field holds the value's text. JSON is valid YAML, so the value's JSON
/// serialization is written there; clients (kubectl among them) YAML-decode it.
enum OpenAPIV2Protobuf {
    typealias Writer = OpenAPIV2ProtobufWriter

    static func document(_ doc: JSONValue) -> [UInt8] {
        var w = Writer()
        w.string(1, doc["swagger"]?.stringValue)
        if let info = doc["info"] { w.message(2) { encodeInfo(&$0, info) } }
        w.string(3, doc["host"]?.stringValue)
        w.string(4, doc["basePath"]?.stringValue)
        w.strings(5, strings(doc["schemes"]))
        w.strings(6, strings(doc["consumes"]))
        w.strings(7, strings(doc["produces"]))
        if let paths = doc["paths"] {
            w.message(8) { w in
                for (name, item) in paths.objectValue ?? JSONObject() {
                    if name.hasPrefix("x-") { continue }
                    w.message(2) { named in
                        named.string(1, name)
                        named.message(2) { pathItem(&$0, item) }
                    }
                }
                extensions(&w, 1, paths)
            }
        }
        if let definitions = doc["definitions"] {
            w.message(9) { w in
                for (name, definition) in definitions.objectValue ?? JSONObject() { namedSchema(&w, 1, name, definition) }
            }
        }
        for requirement in doc["security"]?.arrayValue ?? [] { w.message(12) { securityRequirement(&$0, requirement) } }
        if let definitions = doc["securityDefinitions"] {
            w.message(13) { w in
                for (name, definition) in definitions.objectValue ?? JSONObject() {
                    guard definition["type"]?.stringValue == "apiKey" else { continue }
                    w.message(1) { named in
                        named.string(1, name)
                        named.message(2) { item in
                            item.message(2) { key in  // SecurityDefinitionsItem.api_key_security
                                key.string(1, definition["type"]?.stringValue)
                                key.string(2, definition["name"]?.stringValue)
                                key.string(3, definition["in"]?.stringValue)
                                key.string(4, definition["description"]?.stringValue)
                                extensions(&key, 5, definition)
                            }
                        }
                    }
                }
            }
        }
        extensions(&w, 16, doc)
        return w.bytes
    }

    static func encodeInfo(_ w: inout Writer, _ info: JSONValue) {
        w.string(1, info["title"]?.stringValue)
        w.string(2, info["version"]?.stringValue)
        w.string(3, info["description"]?.stringValue)
        extensions(&w, 7, info)
    }

    static func securityRequirement(_ w: inout Writer, _ requirement: JSONValue) {
        for (name, scopes) in requirement.objectValue ?? JSONObject() {
            w.message(1) { named in
                named.string(1, name)
                named.message(2) { $0.strings(1, strings(scopes)) }
            }
        }
    }

    static func pathItem(_ w: inout Writer, _ item: JSONValue) {
        w.string(1, item["$ref"]?.stringValue)
        for (field, verb) in [(2, "get"), (3, "put"), (4, "post"), (5, "delete"), (6, "options"), (7, "head"), (8, "patch")] {
            if let op = item[verb] { w.message(field) { operation(&$0, op) } }
        }
        for parameter in item["parameters"]?.arrayValue ?? [] { w.message(9) { parametersItem(&$0, parameter) } }
        extensions(&w, 10, item)
    }

    static func operation(_ w: inout Writer, _ op: JSONValue) {
        w.strings(1, strings(op["tags"]))
        w.string(2, op["summary"]?.stringValue)
        w.string(3, op["description"]?.stringValue)
        w.string(5, op["operationId"]?.stringValue)
        w.strings(6, strings(op["produces"]))
        w.strings(7, strings(op["consumes"]))
        for parameter in op["parameters"]?.arrayValue ?? [] { w.message(8) { parametersItem(&$0, parameter) } }
        if let responses = op["responses"] {
            w.message(9) { w in
                for (code, response) in responses.objectValue ?? JSONObject() where !code.hasPrefix("x-") {
                    w.message(1) { named in
                        named.string(1, code)
                        named.message(2) { value in
                            value.message(1) { r in  // ResponseValue.response
                                r.string(1, response["description"]?.stringValue)
                                if let schema = response["schema"] { r.message(2) { $0.message(1) { self.schema(&$0, schema) } } }
                                extensions(&r, 5, response)
                            }
                        }
                    }
                }
                extensions(&w, 2, responses)
            }
        }
        w.strings(10, strings(op["schemes"]))
        w.bool(11, op["deprecated"]?.boolValue)
        extensions(&w, 13, op)
    }

    /// `ParametersItem`: a `$ref` becomes a JsonReference, a body parameter a BodyParameter,
    /// the rest the NonBodyParameter sub-schema of their location.
    static func parametersItem(_ w: inout Writer, _ p: JSONValue) {
        if let ref = p["$ref"]?.stringValue {
            w.message(2) { $0.string(1, ref); $0.string(2, p["description"]?.stringValue) }
            return
        }
        let location = p["in"]?.stringValue ?? ""
        w.message(1) { parameter in
            if location == "body" {
                parameter.message(1) { b in
                    b.string(1, p["description"]?.stringValue)
                    b.string(2, p["name"]?.stringValue)
                    b.string(3, location)
                    b.bool(4, p["required"]?.boolValue)
                    if let schema = p["schema"] { b.message(5) { self.schema(&$0, schema) } }
                    extensions(&b, 6, p)
                }
                return
            }
            // (NonBodyParameter field, then the sub-schema's type/format/uniqueItems/extension fields.)
            let layout: (oneof: Int, type: Int, format: Int, unique: Int, extensions: Int)
            switch location {
            case "header": layout = (1, 5, 6, 19, 22)
            case "formData": layout = (2, 6, 7, 20, 23)
            case "path": layout = (4, 5, 6, 19, 22)
            default: layout = (3, 6, 7, 20, 23)
            }
            parameter.message(2) { nonBody in
                nonBody.message(layout.oneof) { s in
                    s.bool(1, p["required"]?.boolValue)
                    s.string(2, location)
                    s.string(3, p["description"]?.stringValue)
                    s.string(4, p["name"]?.stringValue)
                    if location == "query" || location == "formData" { s.bool(5, p["allowEmptyValue"]?.boolValue) }
                    s.string(layout.type, p["type"]?.stringValue)
                    s.string(layout.format, p["format"]?.stringValue)
                    s.bool(layout.unique, p["uniqueItems"]?.boolValue)
                    extensions(&s, layout.extensions, p)
                }
            }
        }
    }

    static func namedSchema(_ w: inout Writer, _ field: Int, _ name: String, _ value: JSONValue) {
        w.message(field) { named in
            named.string(1, name)
            named.message(2) { schema(&$0, value) }
        }
    }

    static func schema(_ w: inout Writer, _ s: JSONValue) {
        w.string(1, s["$ref"]?.stringValue)
        w.string(2, s["format"]?.stringValue)
        w.string(3, s["title"]?.stringValue)
        w.string(4, s["description"]?.stringValue)
        if let value = s["default"] { w.message(5) { any(&$0, value) } }
        w.double(6, s["multipleOf"]?.doubleValue)
        w.double(7, s["maximum"]?.doubleValue)
        w.bool(8, s["exclusiveMaximum"]?.boolValue)
        w.double(9, s["minimum"]?.doubleValue)
        w.bool(10, s["exclusiveMinimum"]?.boolValue)
        w.int64(11, s["maxLength"]?.intValue)
        w.int64(12, s["minLength"]?.intValue)
        w.string(13, s["pattern"]?.stringValue)
        w.int64(14, s["maxItems"]?.intValue)
        w.int64(15, s["minItems"]?.intValue)
        w.bool(16, s["uniqueItems"]?.boolValue)
        w.int64(17, s["maxProperties"]?.intValue)
        w.int64(18, s["minProperties"]?.intValue)
        w.strings(19, strings(s["required"]))
        for value in s["enum"]?.arrayValue ?? [] { w.message(20) { any(&$0, value) } }
        if let additional = s["additionalProperties"] {
            w.message(21) { item in
                if let flag = additional.boolValue { item.bool(2, flag, always: true) } else { item.message(1) { schema(&$0, additional) } }
            }
        }
        if let type = s["type"] { w.message(22) { $0.strings(1, strings(type)) } }
        if let items = s["items"] {
            w.message(23) { w in
                for item in items.arrayValue ?? [items] { w.message(1) { schema(&$0, item) } }
            }
        }
        for item in s["allOf"]?.arrayValue ?? [] { w.message(24) { schema(&$0, item) } }
        if let properties = s["properties"] {
            w.message(25) { w in
                for (name, property) in properties.objectValue ?? JSONObject() { namedSchema(&w, 1, name, property) }
            }
        }
        w.string(26, s["discriminator"]?.stringValue)
        w.bool(27, s["readOnly"]?.boolValue)
        if let example = s["example"] { w.message(30) { any(&$0, example) } }
        extensions(&w, 31, s)
    }

    /// Every `x-*` member of `object` as a repeated NamedAny in `field`.
    static func extensions(_ w: inout Writer, _ field: Int, _ object: JSONValue) {
        for (name, value) in object.objectValue ?? JSONObject() where name.hasPrefix("x-") {
            w.message(field) { named in
                named.string(1, name)
                named.message(2) { any(&$0, value) }
            }
        }
    }

    /// gnostic `Any` with only `yaml` (field 2) set.
    static func any(_ w: inout Writer, _ value: JSONValue) {
        w.lengthDelimited(2, value.encoded())
    }

    /// A string or an array of strings, as Swagger allows for `type`.
    static func strings(_ value: JSONValue?) -> [String] {
        switch value {
        case .string(let s): return [s]
        case .array(let items): return items.compactMap(\.stringValue)
        default: return []
        }
    }
}
