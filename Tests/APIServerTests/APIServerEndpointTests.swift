import APIModel
import AsyncHTTPClient
import Foundation
import Testing

@testable import APIServer

/// `/version`, health, discovery in both shapes, and OpenAPI, over a live server.
@Suite("APIServer endpoints", .serialized)
struct APIServerEndpointTests {
    @Test("version and health endpoints")
    func versionAndHealth() async throws {
        try await withLiveServer(tls: false) { server in
            let client = server.admin
            let version = try await client.send(.GET, server.baseURL + "/version?timeout=5s")
            #expect(version.json?["major"] == "1")
            #expect(version.json?["minor"] == "32")
            #expect(version.json?["gitVersion"]?.stringValue?.hasPrefix("v1.32.") == true)
            for path in ["/healthz", "/livez", "/readyz"] {
                let health = try await client.send(.GET, server.baseURL + path)
                #expect(health.status == 200)
                #expect(health.text == "ok")
            }
            let verbose = try await client.send(.GET, server.baseURL + "/readyz?verbose")
            #expect(verbose.text.contains("[+]etcd ok"))
            #expect(verbose.text.contains("readyz check passed"))
        }
    }

    @Test("aggregated discovery when asked, with the exact content type; legacy otherwise")
    func discovery() async throws {
        try await withLiveServer(tls: false) { server in
            let client = server.admin
            let accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
            let core = try await client.send(.GET, server.baseURL + "/api?timeout=32s", headers: [("Accept", accept)])
            #expect(core.contentType == "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList")
            #expect(core.json?["kind"] == "APIGroupDiscoveryList")
            let coreResources = core.json?["items"]?[0]?["versions"]?[0]?["resources"]?.arrayValue ?? []
            let pods = coreResources.first { $0["resource"] == "pods" }
            #expect(pods?["shortNames"] == ["po"])
            #expect(pods?["categories"] == ["all"])
            #expect(pods?["subresources"]?.arrayValue?.contains { $0["subresource"] == "status" } == true)

            let groups = try await client.send(.GET, server.baseURL + "/apis", headers: [("Accept", accept)])
            let apps = groups.json?["items"]?.arrayValue?.first { $0["metadata"]?["name"] == "apps" }
            let deployments = apps?["versions"]?[0]?["resources"]?.arrayValue?.first { $0["resource"] == "deployments" }
            #expect(deployments?["subresources"]?.arrayValue?.contains { $0["subresource"] == "scale" } == true)

            let legacy = try await client.send(.GET, server.baseURL + "/api", headers: [("Accept", "application/json")])
            #expect(legacy.contentType == "application/json")
            #expect(legacy.json?["kind"] == "APIVersions")
            let legacyGroups = try await client.send(.GET, server.baseURL + "/apis")
            #expect(legacyGroups.json?["kind"] == "APIGroupList")
            let v1 = try await client.send(.GET, server.baseURL + "/api/v1")
            #expect(v1.json?["resources"]?.arrayValue?.contains { $0["name"] == "pods/eviction" } == true)
            let appsV1 = try await client.send(.GET, server.baseURL + "/apis/apps/v1")
            #expect(appsV1.json?["groupVersion"] == "apps/v1")
            let group = try await client.send(.GET, server.baseURL + "/apis/apps")
            #expect(group.json?["kind"] == "APIGroup")
            let missing = try await client.send(.GET, server.baseURL + "/apis/nope.example.com/v1")
            #expect(missing.status == 404)
        }
    }

    @Test("OpenAPI v3 index and a per group-version document; v2 is 404")
    func openAPI() async throws {
        try await withLiveServer(tls: false) { server in
            let client = server.admin
            let root = try await client.send(.GET, server.baseURL + "/openapi/v3")
            let url = root.json?["paths"]?["apis/apps/v1"]?["serverRelativeURL"]?.stringValue
            #expect(url?.contains("?hash=") == true)
            let document = try await client.send(.GET, server.baseURL + (url ?? "/openapi/v3/apis/apps/v1"))
            #expect(document.status == 200)
            #expect(document.json?["paths"]?["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]?["patch"] != nil)
            // kubectl 1.27/1.28 read the Swagger 2.0 document as protobuf; other clients get JSON.
            let v2 = try await client.send(.GET, server.baseURL + "/openapi/v2",
                                           headers: [("Accept", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf")])
            #expect(v2.status == 200)
            #expect(v2.headers["Content-Type"].first?.hasSuffix("+protobuf") == true)
            let v2JSON = try await client.send(.GET, server.baseURL + "/openapi/v2", headers: [("Accept", "application/json")])
            #expect(v2JSON.status == 200)
            #expect(v2JSON.json?["swagger"] == "2.0")
            let legacy = try await client.send(.GET, server.baseURL + "/swagger-2.0.0.pb-v1")
            #expect(legacy.status == 200)
        }
    }
}
