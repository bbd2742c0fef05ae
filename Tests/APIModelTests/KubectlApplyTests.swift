import Foundation
import Testing

@testable import APIModel

/// Lets the real `kubectl apply` compute its three-way strategic merge patch against a live
/// object (served with the generated discovery and OpenAPI), records the PATCH it sends, and
/// applies that exact patch with `StrategicMergePatch`: the result must be what apply means.
@Suite("kubectl apply patches", .serialized)
struct KubectlApplyTests {
    static let oldManifest = """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default","labels":{"app":"web","tier":"front"}},
         "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
                 "template":{"metadata":{"labels":{"app":"web"}},
                             "spec":{"containers":[{"name":"c","image":"nginx:1.26","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
                                                    "ports":[{"containerPort":80}]},
                                                   {"name":"side","image":"envoy:1"}]}}}}
        """

    static let newManifest = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: default
          labels: {app: web}
        spec:
          replicas: 3
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers:
              - name: c
                image: nginx:1.27
                env: [{name: A, value: "1"}, {name: C, value: "3"}]
                ports: [{containerPort: 80}]
              - name: side
                image: envoy:1
        """

    @Test(.enabled(if: KubectlExplainTests.kubectlPath != nil && KubectlExplainTests.python3Available, "needs kubectl and python3"))
    func applyComputesAPatchThatOurStrategicMergeApplies() throws {
        let resource = try #require(ResourceRegistry.resource(group: "apps", version: "v1", plural: "deployments"))
        let old = try JSONValue(json: Self.oldManifest)
        var live = old
        Defaulting.apply(&live, resource: resource)
        live["metadata"]?["annotations"] = ["kubectl.kubernetes.io/last-applied-configuration": .string(old.jsonString() + "\n")]
        live["metadata"]?["uid"] = "6b1f3c2e-0000-4000-8000-000000000001"
        live["metadata"]?["resourceVersion"] = "42"
        live["metadata"]?["generation"] = 1
        live["metadata"]?["creationTimestamp"] = "2026-01-01T00:00:00Z"
        live["status"] = ["replicas": 2, "readyReplicas": 2, "observedGeneration": 1]

        let server = try KubectlExplainTests.startServer(extraFiles: ["apis/apps/v1/namespaces/default/deployments/web": live])
        defer { KubectlExplainTests.stop(server) }
        let manifest = server.dir.appendingPathComponent("web.yaml")
        try Data(Self.newManifest.utf8).write(to: manifest)

        let run = try KubectlExplainTests.kubectl(server, ["apply", "-f", manifest.path])
        #expect(run.status == 0, "\(run.output)")
        #expect(run.output.contains("deployment.apps/web configured"), "\(run.output)")

        let log = try String(contentsOf: server.dir.appendingPathComponent("requests.log"), encoding: .utf8)
        let requests = try log.split(separator: "\n").map { try JSONValue(json: String($0)) }
        let patchRequest = try #require(requests.first { $0["method"] == "PATCH" }, "\(log)")
        let path = try #require(patchRequest["path"]?.stringValue)
        #expect(path.hasPrefix("/apis/apps/v1/namespaces/default/deployments/web?"))
        #expect(path.contains("fieldValidation=Strict"))
        #expect(patchRequest["contentType"] == "application/strategic-merge-patch+json")
        let patch = try JSONValue(json: try #require(patchRequest["body"]?.stringValue))

        let result = try StrategicMergePatch.apply(patch, to: live, schema: resource.schema)
        #expect(result["metadata"]?["labels"] == ["app": "web"])
        #expect(result["spec"]?["replicas"] == 3)
        let containers = try #require(result["spec"]?["template"]?["spec"]?["containers"]?.arrayValue)
        #expect(containers.map { $0["name"] } == ["c", "side"])
        #expect(containers[0]["image"] == "nginx:1.27")
        #expect(containers[0]["env"] == [["name": "A", "value": "1"], ["name": "C", "value": "3"]])
        // Server-side defaults and status survive; the annotation now holds the new manifest.
        #expect(containers[0]["terminationMessagePath"] == "/dev/termination-log")
        #expect(containers[0]["ports"] == [["containerPort": 80, "protocol": "TCP"]])
        #expect(result["spec"]?["strategy"]?["type"] == "RollingUpdate")
        #expect(result["status"] == live["status"])
        let applied = try JSONValue(json: try #require(result["metadata"]?["annotations"]?["kubectl.kubernetes.io/last-applied-configuration"]?.stringValue))
        #expect(applied["spec"]?["replicas"] == 3)
        // What the server would store still validates.
        #expect(Validation.validateUpdate(old: live, new: result, resource: resource).isEmpty)
    }
}
