import APIModel
@testable import APIServer
import Foundation
import Testing

@Suite("REST subresources", .serialized)
struct RESTSubresourceTests {
    @Test func scaleGetPutAndPatch() async throws {
        try await withRESTHandler { h in
            var d = deployment("web", replicas: 2)
            d["spec"]?["selector"] = ["matchLabels": ["app": "web"],
                                     "matchExpressions": [["key": "tier", "operator": "In", "values": ["b", "a"]]]]
            d["spec"]?["template"]?["metadata"] = ["labels": ["app": "web", "tier": "a"]]
            _ = try await h.handle(request(.create, R.deployments, body: d))
            let scale = try await h.handle(request(.get, R.deployments, name: "web", subresource: "scale"))
            #expect(scale.body["kind"] == "Scale")
            #expect(scale.body["apiVersion"] == "autoscaling/v1")
            #expect(scale.body["spec"]?["replicas"] == 2)
            #expect(scale.body["status"]?["replicas"] == 0)
            #expect(scale.body["status"]?["selector"] == "app=web,tier in (a,b)")

            // kubectl scale: merge patch on /scale.
            let patched = try await h.handle(request(.patch, R.deployments, name: "web", subresource: "scale",
                                                     body: ["spec": ["replicas": 3]], contentType: "application/merge-patch+json"))
            #expect(patched.body["kind"] == "Scale")
            #expect(patched.body["spec"]?["replicas"] == 3)
            let dep = try await h.handle(request(.get, R.deployments, name: "web"))
            #expect(dep.body["spec"]?["replicas"] == 3)
            #expect(dep.body.meta("generation") == 2)

            // --current-replicas: GET then PUT with the resourceVersion; a stale one conflicts.
            var put = patched.body
            put["spec"] = ["replicas": 5]
            let ok = try await h.handle(request(.update, R.deployments, name: "web", subresource: "scale", body: put))
            #expect(ok.body["spec"]?["replicas"] == 5)
            _ = try await expectAPIError(h, request(.update, R.deployments, name: "web", subresource: "scale", body: put), code: 409)
            var negative = ok.body
            negative["spec"] = ["replicas": -1]
            _ = try await expectAPIError(h, request(.update, R.deployments, name: "web", subresource: "scale", body: negative), code: 422)
            _ = try await expectAPIError(h, request(.get, R.deployments, name: "ghost", subresource: "scale"), code: 404)
        }
    }

    @Test func bindingSetsNodeOnceAndEvictionDeletes() async throws {
        try await withRESTHandler { h in
            _ = try await h.handle(request(.create, R.pods, body: pod("p")))
            let binding: JSONValue = ["apiVersion": "v1", "kind": "Binding", "metadata": ["name": "p"],
                                      "target": ["apiVersion": "v1", "kind": "Node", "name": "n1"]]
            let b = try await h.handle(request(.create, R.pods, name: "p", subresource: "binding", body: binding))
            #expect(b.code == 201)
            #expect(b.body["status"] == "Success")
            let got = try await h.handle(request(.get, R.pods, name: "p"))
            #expect(got.body["spec"]?["nodeName"] == "n1")
            let conditions = got.body["status"]?["conditions"]?.arrayValue ?? []
            #expect(conditions.contains { $0["type"] == "PodScheduled" && $0["status"] == "True" })
            let again = try await expectAPIError(h, request(.create, R.pods, name: "p", subresource: "binding", body: binding), code: 409)
            #expect(again.message.contains("already assigned"))

            // Eviction as kubectl drain sends it; the pod is bound and running, so deletion is graceful.
            let eviction: JSONValue = ["kind": "Eviction", "apiVersion": "policy/v1",
                                       "metadata": ["name": "p", "namespace": "default"], "deleteOptions": .emptyObject]
            let e = try await h.handle(request(.create, R.pods, name: "p", subresource: "eviction", body: eviction))
            #expect(e.code == 201)
            let evicted = try await h.handle(request(.get, R.pods, name: "p"))
            #expect(evicted.body.isBeingDeleted)
            // With grace 0 it is gone.
            var now: JSONValue = eviction
            now["deleteOptions"] = ["gracePeriodSeconds": 0]
            _ = try await h.handle(request(.create, R.pods, name: "p", subresource: "eviction", body: now))
            _ = try await expectAPIError(h, request(.get, R.pods, name: "p"), code: 404)
            _ = try await expectAPIError(h, request(.create, R.pods, name: "p", subresource: "eviction", body: eviction), code: 404)
        }
    }

    @Test func unknownSubresourceAndVerb() async throws {
        try await withRESTHandler { h in
            _ = try await expectAPIError(h, request(.get, R.configmaps, name: "x", subresource: "scale"), code: 404)
            _ = try await expectAPIError(h, request(.deleteCollection, R.namespaces), code: 405)
        }
    }
}
