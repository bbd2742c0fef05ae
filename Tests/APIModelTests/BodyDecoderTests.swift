import Testing

@testable import APIModel

@Suite("Body decoding with fieldValidation")
struct BodyDecoderTests {
    let deployments = ResourceRegistry.resource(group: "apps", version: "v1", plural: "deployments")!

    let body = Array(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","name":"web"},"spec":{"replicas":1,"replica":2}}"#.utf8)

    @Test func strictRejectsUnknownAndDuplicateFields() throws {
        #expect(throws: BodyDecodingError.badRequest(#"strict decoding error: unknown field "spec.replica", duplicate field "metadata.name""#)) {
            try BodyDecoder.decode(body, resource: deployments, fieldValidation: .strict)
        }
    }

    @Test func warnKeepsGoingWithWarningsAndDropsUnknownFields() throws {
        let decoded = try BodyDecoder.decode(body, resource: deployments, fieldValidation: try FieldValidationMode(queryValue: nil))
        #expect(decoded.warnings == [#"unknown field "spec.replica""#, #"duplicate field "metadata.name""#])
        #expect(decoded.object["spec"] == ["replicas": 1])
        let ignored = try BodyDecoder.decode(body, resource: deployments, fieldValidation: .ignore)
        #expect(ignored.warnings.isEmpty)
        #expect(ignored.object["spec"] == ["replicas": 1])
    }

    @Test func badBodies() throws {
        #expect(throws: BodyDecodingError.self) { try FieldValidationMode(queryValue: "Loose") }
        let wrongKind = Array(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}"#.utf8)
        #expect(throws: BodyDecodingError.badRequest("the kind in the body (Pod) does not match the expected kind (Deployment)")) {
            try BodyDecoder.decode(wrongKind, resource: deployments, fieldValidation: .strict)
        }
        do {
            _ = try BodyDecoder.decode(Array("{\"kind\": x}".utf8), resource: deployments, fieldValidation: .strict)
            Issue.record("expected a parse error")
        } catch BodyDecodingError.badRequest(let message) {
            #expect(message.hasPrefix("json parse error: invalid character 'x' looking for beginning of value at line 1, column 10"))
        }
        let typed = Array(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"w"},"spec":{"replicas":"two"}}"#.utf8)
        do {
            _ = try BodyDecoder.decode(typed, resource: deployments, fieldValidation: .strict)
            Issue.record("expected a type error")
        } catch BodyDecodingError.invalid(let errors) {
            #expect(errors.map(\.field) == ["spec.replicas"])
        }
    }

    @Test func yamlBodiesAndSubresourceKinds() throws {
        let yaml = Array("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n".utf8)
        let decoded = try BodyDecoder.decode(yaml, contentType: "application/yaml", resource: deployments, fieldValidation: .strict)
        #expect(decoded.object["spec"]?["replicas"] == 2)
        let scale = Array(#"{"kind":"Scale","apiVersion":"autoscaling/v1","metadata":{"name":"web"},"spec":{"replicas":3}}"#.utf8)
        let scaleKind = try #require(deployments.subresource("scale")?.kind)
        let decodedScale = try BodyDecoder.decode(scale, resource: deployments, expectedKind: scaleKind, fieldValidation: .strict)
        #expect(decodedScale.object["spec"]?["replicas"] == 3)
    }
}

@Suite("Discovery documents")
struct DiscoveryTests {
    @Test func legacyDocuments() throws {
        let v1 = Discovery.apiResourceList(GroupVersion(group: "", version: "v1"))
        let entries = try #require(v1["resources"]?.arrayValue)
        let pods = try #require(entries.first { $0["name"] == "pods" })
        #expect(pods["shortNames"] == ["po"])
        #expect(pods["categories"] == ["all"])
        let eviction = try #require(entries.first { $0["name"] == "pods/eviction" })
        #expect(eviction["group"] == "policy" && eviction["version"] == "v1" && eviction["kind"] == "Eviction")
        let apps = Discovery.apiResourceList(GroupVersion(group: "apps", version: "v1"))
        let scale = try #require(apps["resources"]?.arrayValue?.first { $0["name"] == "deployments/scale" })
        #expect(scale["group"] == "autoscaling" && scale["kind"] == "Scale")
        let groups = try #require(Discovery.apiGroupList()["groups"]?.arrayValue)
        let groupNames: [String] = groups.compactMap { $0["name"]?.stringValue }
        #expect(groupNames.contains("apps"))
        #expect(!groups.contains { $0["name"] == "" })
    }

    @Test func aggregatedDocuments() throws {
        let core = Discovery.aggregated(core: true)
        #expect(core["items"]?.arrayValue?.count == 1)
        #expect(core["items"]?[0]?["metadata"]?["name"] == "")
        let apis = Discovery.aggregated(core: false)
        let apps = try #require(apis["items"]?.arrayValue?.first { $0["metadata"]?["name"] == "apps" })
        let deployments = try #require(apps["versions"]?[0]?["resources"]?.arrayValue?.first { $0["resource"] == "deployments" })
        #expect(deployments["responseKind"] == ["group": "apps", "version": "v1", "kind": "Deployment"])
        #expect(deployments["scope"] == "Namespaced")
        #expect(deployments["subresources"]?.arrayValue?.contains { $0["subresource"] == "scale" && $0["responseKind"]?["kind"] == "Scale" } == true)
    }
}
