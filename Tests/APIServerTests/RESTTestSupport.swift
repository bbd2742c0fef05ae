import APIModel
@testable import APIServer
import Foundation
import Logging
import Testing

/// A `RESTHandler` over a real single-member store with its watch cache running and the
/// system namespaces bootstrapped, for one test body.
func withRESTHandler(now: @escaping @Sendable () -> Date = { Date() },
                     _ body: @Sendable (RESTHandler) async throws -> Void) async throws
{
    try await withTestStore { store in
        var logger = Logger(label: "rest-test")
        logger.logLevel = .warning
        let storage = ObjectStorage(store: store, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await storage.run() }
            defer { group.cancelAll() }
            try await storage.waitUntilReady()
            let handler = RESTHandler(storage: storage, logger: logger, now: now)
            try await handler.bootstrap()
            try await body(handler)
        }
    }
}

enum R {
    static func resource(_ plural: String, group: String = "") -> ResourceInfo {
        guard let r = ResourceRegistry.resource(group: group, version: "v1", plural: plural) else {
            fatalError("no resource \(group)/\(plural)")
        }
        return r
    }

    static let pods = resource("pods")
    static let configmaps = resource("configmaps")
    static let namespaces = resource("namespaces")
    static let deployments = resource("deployments", group: "apps")
    static let services = resource("services")
    static let secrets = resource("secrets")
}

/// Builds a request the way the router would.
func request(_ verb: RESTVerb, _ resource: ResourceInfo, namespace: String? = "default", name: String? = nil,
             subresource: String? = nil, body: JSONValue? = nil, raw: [UInt8]? = nil, contentType: String? = "application/json",
             query: [String: String] = [:], userAgent: String? = "kubectl/v1.32.4 (linux/amd64) kubernetes/abc") -> RESTRequest
{
    RESTRequest(verb: verb, resource: resource, subresource: subresource, namespace: resource.namespaced ? namespace : nil,
                name: name, query: query.mapValues { [$0] }, contentType: contentType,
                body: raw ?? body.map { $0.encoded() } ?? [], userAgent: userAgent)
}

/// Runs a request expected to fail and returns its error.
func expectAPIError(_ handler: RESTHandler, _ r: RESTRequest, code: Int,
                    sourceLocation: SourceLocation = #_sourceLocation) async throws -> APIError
{
    do {
        let response = try await handler.handle(r)
        Issue.record("expected \(code), got \(response.code): \(response.object?.jsonString() ?? "list")", sourceLocation: sourceLocation)
        throw TestFailure()
    } catch let error as APIError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
        #expect(error.status["kind"] == "Status", sourceLocation: sourceLocation)
        #expect(error.status["status"] == "Failure", sourceLocation: sourceLocation)
        #expect(error.status["code"]?.intValue == Int64(code), sourceLocation: sourceLocation)
        return error
    }
}

struct TestFailure: Error {}

func pod(_ name: String, namespace: String = "default", image: String = "nginx:1.27", extra: (inout JSONValue) -> Void = { _ in }) -> JSONValue {
    var p: JSONValue = [
        "apiVersion": "v1", "kind": "Pod",
        "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": ["app": "web"]],
        "spec": ["containers": [["name": "c", "image": .string(image)]]],
    ]
    extra(&p)
    return p
}

func configMap(_ name: String, data: JSONValue = ["a": "1"]) -> JSONValue {
    ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name)], "data": data]
}

func deployment(_ name: String, replicas: Int64 = 2, image: String = "nginx:1.27") -> JSONValue {
    [
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": ["name": .string(name), "labels": ["app": .string(name)]],
        "spec": [
            "replicas": .int(replicas),
            "selector": ["matchLabels": ["app": .string(name)]],
            "template": [
                "metadata": ["labels": ["app": .string(name)]],
                "spec": ["containers": [["name": "c", "image": .string(image)]]],
            ],
        ],
    ]
}

extension RESTResponse {
    var body: JSONValue { object ?? .null }
}
