import APIModel
@testable import APIServer
import Foundation
import Testing

/// Issue 5's bad-input table: every case answers a 4xx Status that names the problem, and
/// nothing is written.
@Suite("REST bad input", .serialized)
struct RESTBadInputTests {
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var resource: ResourceInfo
        var body: [UInt8]
        var contentType: String = "application/json"
        var query: [String: String] = [:]
        var code: Int
        var mentions: String
    }

    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    static let cases: [Case] = [
        Case(description: "malformed JSON", resource: R.configmaps, body: bytes("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{"),
             code: 400, mentions: "json"),
        Case(description: "malformed YAML", resource: R.configmaps, body: bytes("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [x\n"),
             contentType: "application/yaml", code: 400, mentions: ""),
        Case(description: "unknown field under Strict", resource: R.configmaps,
             body: bytes(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"u"},"dta":{"a":"1"}}"#),
             query: ["fieldValidation": "Strict"], code: 400, mentions: "dta"),
        Case(description: "duplicate field under Strict", resource: R.configmaps,
             body: bytes(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"d","name":"d"}}"#),
             query: ["fieldValidation": "Strict"], code: 400, mentions: "name"),
        Case(description: "invalid name", resource: R.configmaps,
             body: bytes(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"Bad_Name"}}"#), code: 422, mentions: "metadata.name"),
        Case(description: "invalid label", resource: R.configmaps,
             body: bytes(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"l","labels":{"a":"not valid!"}}}"#),
             code: 422, mentions: "metadata.labels"),
        Case(description: "wrong kind", resource: R.configmaps,
             body: bytes(#"{"apiVersion":"v1","kind":"Secret","metadata":{"name":"k"}}"#), code: 400, mentions: "Secret"),
        Case(description: "wrong apiVersion", resource: R.configmaps,
             body: bytes(#"{"apiVersion":"v2","kind":"ConfigMap","metadata":{"name":"v"}}"#), code: 400, mentions: "v2"),
        Case(description: "kind not a string", resource: R.configmaps,
             body: bytes(#"{"apiVersion":"v1","kind":7,"metadata":{"name":"m"}}"#), code: 400, mentions: "kind"),
        Case(description: "missing required fields", resource: R.pods,
             body: bytes(#"{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{}}"#), code: 422, mentions: "spec.containers"),
        Case(description: "missing name", resource: R.configmaps,
             body: bytes(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}"#), code: 422, mentions: "metadata.name"),
        Case(description: "wrong type", resource: R.deployments,
             body: bytes(#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"t"},"spec":{"replicas":"three"}}"#),
             code: 422, mentions: "spec.replicas"),
        Case(description: "unsupported media type", resource: R.configmaps, body: bytes("name=x"),
             contentType: "application/x-www-form-urlencoded", code: 415, mentions: "application/json"),
        Case(description: "resourceVersion on create", resource: R.configmaps,
             body: bytes(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"rv","resourceVersion":"5"}}"#),
             code: 400, mentions: "resourceVersion"),
        Case(description: "bad fieldValidation", resource: R.configmaps,
             body: bytes(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fv"}}"#),
             query: ["fieldValidation": "Loose"], code: 400, mentions: "fieldValidation"),
        Case(description: "not an object", resource: R.configmaps, body: bytes("[1,2]"), code: 400, mentions: "object"),
        Case(description: "empty body", resource: R.configmaps, body: [], code: 400, mentions: ""),
    ]

    @Test func everyBadBodyIsA4xxStatusAndWritesNothing() async throws {
        try await withRESTHandler { h in
            for c in Self.cases {
                let r = request(.create, c.resource, raw: c.body, contentType: c.contentType, query: c.query)
                do {
                    let response = try await h.handle(r)
                    Issue.record("\(c): expected \(c.code), got \(response.code)")
                } catch let error as APIError {
                    #expect(error.code == c.code, "\(c): \(error)")
                    #expect(error.status["kind"] == "Status" && error.status["status"] == "Failure", "\(c)")
                    #expect(error.status["code"]?.intValue == Int64(c.code), "\(c)")
                    #expect((error.status["reason"]?.stringValue ?? "").isEmpty == false, "\(c)")
                    if !c.mentions.isEmpty { #expect(error.message.contains(c.mentions), "\(c): \(error.message)") }
                }
            }
            for resource in [R.configmaps, R.pods, R.deployments] {
                let list = try await h.handle(request(.list, resource))
                guard case .list(let items, _, _, _) = list.payload else { throw TestFailure() }
                #expect(items.isEmpty, "\(resource.plural): \(items)")
            }
        }
    }

    @Test func yamlAndWarnModeBodiesAreAccepted() async throws {
        try await withRESTHandler { h in
            let yaml = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  k: v\n"
            let r = try await h.handle(request(.create, R.configmaps, raw: Array(yaml.utf8), contentType: "application/yaml"))
            #expect(r.body["data"] == ["k": "v"])
            let warn = try await h.handle(request(.create, R.configmaps,
                                                  raw: Array(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"w"},"extra":1}"#.utf8),
                                                  query: ["fieldValidation": "Warn"]))
            #expect(warn.warnings.contains { $0.contains("extra") }, "\(warn.warnings)")
            #expect(warn.body["extra"] == nil)
        }
    }

    /// The official Python client sends bodies without kind and apiVersion; Kubernetes takes
    /// them from the URL, and so does skiff.
    @Test func kindAndAPIVersionDefaultFromTheURL() async throws {
        try await withRESTHandler { h in
            let r = try await h.handle(request(.create, R.deployments, raw: Array(#"""
                {"metadata":{"name":"bare"},"spec":{"selector":{"matchLabels":{"a":"b"}},
                 "template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"busybox"}]}}}}
                """#.utf8)))
            #expect(r.code == 201)
            #expect(r.body["kind"] == "Deployment")
            #expect(r.body["apiVersion"] == "apps/v1")
            let got = try await h.handle(request(.get, R.deployments, name: "bare"))
            #expect(got.body["kind"] == "Deployment")
        }
    }
}
