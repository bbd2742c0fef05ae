import Foundation
import Testing

@testable import APIModel

/// The `/openapi/v2` document: read back from its protobuf bytes with an independent reader,
/// it must carry what kubectl 1.27/1.28 look for (the PATCH `fieldValidation` parameter under
/// each kind's group-version-kind, and definitions `explain` and patching can walk).
@Suite("OpenAPI v2 document")
struct OpenAPIV2DocumentTests {
    typealias Message = OpenAPIV2ProtoMessage

    static func decoded() throws -> Message { try Message(OpenAPIV2Document.shared.protobuf) }

    static func itemPath(_ r: ResourceInfo) -> String {
        let prefix = r.groupVersion.pathPrefix
        return r.namespaced ? "\(prefix)/namespaces/{namespace}/\(r.plural)/{name}" : "\(prefix)/\(r.plural)/{name}"
    }

    @Test("header: swagger 2.0, info, security")
    func header() throws {
        let doc = try Self.decoded()
        #expect(doc.string(1) == "2.0")
        let info = try #require(try doc.message(2))
        #expect(info.string(1) == "Kubernetes")
        #expect(info.string(2) == "v1.32.4")
        let security = try #require(try doc.message(13)).named(1)
        let bearer = try #require(try security["BearerToken"]?.message(2))
        #expect(bearer.string(1) == "apiKey" && bearer.string(2) == "authorization" && bearer.string(3) == "header")
    }

    @Test("every kind's item PATCH names its group-version-kind and takes fieldValidation")
    func patchOperations() throws {
        let paths = try #require(try Self.decoded().message(8)).named(2)
        #expect(paths.count > ResourceRegistry.all.count)
        for r in ResourceRegistry.all {
            let item = try #require(paths[Self.itemPath(r)], "\(Self.itemPath(r))")
            let patch = try #require(try item.message(8), "PATCH of \(r.kind)")
            let yaml = try #require(try patch.extensions(13)["x-kubernetes-group-version-kind"], "\(r.kind)")
            let gvk = try JSONValue.parseYAML(yaml)
            #expect(gvk["group"]?.stringValue == r.group && gvk["version"]?.stringValue == r.version && gvk["kind"]?.stringValue == r.kind,
                    "\(r.kind): \(yaml)")
            var queryNames: [String] = []
            var bodies = 0
            for entry in try patch.messages(8) {
                let parameter = try #require(try entry.message(1))
                if let query = try parameter.message(2)?.message(3) {
                    #expect(query.string(2) == "query")
                    queryNames += query.string(4).map { [$0] } ?? []
                }
                if let body = try parameter.message(1) {
                    bodies += 1
                    #expect(body.string(3) == "body" && body.bool(4) == true)
                }
            }
            #expect(queryNames.contains("fieldValidation"), "\(r.kind): \(queryNames)")
            #expect(bodies == 1)
            #expect(patch.strings(7).contains("application/strategic-merge-patch+json"))
            let responses = try #require(try patch.message(9)).named(1)
            #expect(try responses["200"]?.message(1)?.message(2)?.message(1)?.string(1)?.hasPrefix("#/definitions/") == true)
            // The path item's own parameters: name, and namespace for namespaced kinds, both in the path.
            var pathParameters: [String] = []
            for entry in try item.messages(9) {
                if let p = try entry.message(1)?.message(2)?.message(4) { pathParameters += p.string(4).map { [$0] } ?? [] }
            }
            #expect(pathParameters.contains("name"))
            #expect(pathParameters.contains("namespace") == r.namespaced)
        }
    }

    @Test("definitions: each kind with its group-version-kind, resolvable refs, one type, one item schema")
    func definitions() throws {
        let definitions = try #require(try Self.decoded().message(9)).named(1)
        for r in ResourceRegistry.all {
            let name = try #require(r.schema.objectSchema?.name)
            let definition = try #require(definitions[name], "\(name)")
            let yaml = try #require(try definition.extensions(31)["x-kubernetes-group-version-kind"], "\(name)")
            let list = try #require(try JSONValue.parseYAML(yaml).arrayValue)
            #expect(list.contains { $0["group"]?.stringValue == r.group && $0["kind"]?.stringValue == r.kind && $0["version"]?.stringValue == r.version })
            #expect(definitions[name + "List"] != nil)
        }
        // The rules kubectl's parser enforces on every schema, in every definition.
        var checked = 0
        func walk(_ schema: Message, _ where_: String) throws {
            checked += 1
            if let ref = schema.string(1) {
                #expect(ref.hasPrefix("#/definitions/") && definitions[String(ref.dropFirst(14))] != nil, "\(where_): \(ref)")
            }
            let types = try schema.message(22)?.strings(1) ?? []
            #expect(types.count <= 1, "\(where_)")
            if types == ["array"] {
                let items = try #require(try schema.message(23)).messages(1)
                #expect(items.count == 1, "\(where_)")
                for item in items { try walk(item, where_ + "[]") }
            }
            if let properties = try schema.message(25) {
                #expect(types.isEmpty || types == ["object"], "\(where_)")
                for (name, property) in try properties.named(1) { try walk(property, where_ + "." + name) }
            }
            if let additional = try schema.message(21), let value = try additional.message(1) { try walk(value, where_ + "{}") }
        }
        for (name, definition) in definitions { try walk(definition, name) }
        #expect(checked > 100)

        let deployment = try #require(definitions["io.k8s.api.apps.v1.Deployment"])
        let spec = try #require(try deployment.message(25)?.named(1)["spec"])
        #expect(spec.string(1) == "#/definitions/io.k8s.api.apps.v1.DeploymentSpec")
        #expect(spec.string(4)?.isEmpty == false)
        let replicas = try #require(try definitions["io.k8s.api.apps.v1.DeploymentSpec"]?.message(25)?.named(1)["replicas"])
        #expect(try replicas.message(22)?.strings(1) == ["integer"])
        #expect(replicas.string(2) == "int32")
        #expect(replicas.string(4)?.isEmpty == false)
        let containers = try #require(try definitions["io.k8s.api.core.v1.PodSpec"]?.message(25)?.named(1)["containers"])
        let patchExtensions = try containers.extensions(31)
        #expect(patchExtensions["x-kubernetes-patch-merge-key"] == "\"name\"")
        #expect(patchExtensions["x-kubernetes-patch-strategy"] == "\"merge\"")
        #expect(try containers.message(23)?.messages(1).first?.string(1) == "#/definitions/io.k8s.api.core.v1.Container")
        let labels = try #require(try definitions["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]?.message(25)?.named(1)["labels"])
        #expect(try labels.message(21)?.message(1)?.message(22)?.strings(1) == ["string"])
    }

    @Test("the JSON form names the same paths and definitions, with v2 refs only")
    func jsonAgrees() throws {
        let shared = OpenAPIV2Document.shared
        let json = try JSONValue.parse(shared.json).value
        #expect(json == shared.document)
        #expect(json["swagger"] == "2.0")
        let doc = try Self.decoded()
        let paths = try #require(try doc.message(8)).named(2)
        let definitions = try #require(try doc.message(9)).named(1)
        #expect(Set(json["paths"]?.objectValue?.keys ?? []) == Set(paths.keys))
        #expect(Set(json["definitions"]?.objectValue?.keys ?? []) == Set(definitions.keys))
        let text = String(decoding: shared.json, as: UTF8.self)
        #expect(!text.contains("#/components/"))
        #expect(!text.contains("\"allOf\""))
        #expect(!text.contains("requestBody"))
        let patch = json["paths"]?["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]?["patch"]
        #expect(patch?["x-kubernetes-group-version-kind"] == ["group": "apps", "kind": "Deployment", "version": "v1"])
        #expect(patch?["parameters"]?.arrayValue?.contains { $0["name"] == "fieldValidation" && $0["in"] == "query" && $0["type"] == "string" } == true)
    }

    @Test("writer primitives: varints, negative int64, doubles, empty messages, oneof false")
    func writer() throws {
        var w = OpenAPIV2ProtobufWriter()
        w.varint(300)
        #expect(w.bytes == [0xAC, 0x02])
        w = OpenAPIV2ProtobufWriter()
        w.int64(1, -1)
        #expect(w.bytes == [0x08] + Array(repeating: 0xFF, count: 9) + [0x01])
        w = OpenAPIV2ProtobufWriter()
        w.double(7, 1.5)
        #expect(w.bytes == [0x39, 0, 0, 0, 0, 0, 0, 0xF8, 0x3F])
        w = OpenAPIV2ProtobufWriter()
        w.string(1, "")
        w.bool(2, false)
        w.message(3) { _ in }
        w.bool(4, false, always: true)
        #expect(w.bytes == [0x1A, 0x00, 0x20, 0x00])
    }
}
