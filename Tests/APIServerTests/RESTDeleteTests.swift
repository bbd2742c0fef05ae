import APIModel
@testable import APIServer
import Foundation
import Testing

@Suite("REST delete", .serialized)
struct RESTDeleteTests {
    @Test func plainDeleteRemovesAtOnceAndReturnsTheObject() async throws {
        try await withRESTHandler { h in
            _ = try await h.handle(request(.create, R.configmaps, body: configMap("cm")))
            let r = try await h.handle(request(.delete, R.configmaps, name: "cm", body: ["propagationPolicy": "Background"]))
            #expect(r.code == 200)
            #expect(r.body.metaString("name") == "cm")
            _ = try await expectAPIError(h, request(.get, R.configmaps, name: "cm"), code: 404)
            _ = try await expectAPIError(h, request(.delete, R.configmaps, name: "cm"), code: 404)
        }
    }

    @Test func finalizersKeepTheObjectUntilRemoved() async throws {
        try await withRESTHandler { h in
            var body = configMap("f")
            body.setMeta("finalizers", ["example.com/hold"])
            _ = try await h.handle(request(.create, R.configmaps, body: body))
            let marked = try await h.handle(request(.delete, R.configmaps, name: "f"))
            #expect(marked.code == 200)
            #expect(marked.body.isBeingDeleted)
            #expect(marked.body.meta("deletionGracePeriodSeconds") == 0)
            let still = try await h.handle(request(.get, R.configmaps, name: "f"))
            #expect(still.body.isBeingDeleted)

            // No new finalizers on an object being deleted.
            var more = still.body
            more.setMeta("finalizers", ["example.com/hold", "example.com/more"])
            _ = try await expectAPIError(h, request(.update, R.configmaps, name: "f", body: more), code: 422)

            // Removing the last finalizer deletes it.
            var released = still.body
            released.setMeta("finalizers", nil)
            let r = try await h.handle(request(.update, R.configmaps, name: "f", body: released))
            #expect(r.code == 200)
            _ = try await expectAPIError(h, request(.get, R.configmaps, name: "f"), code: 404)
        }
    }

    @Test func finalizerRemovedByMergePatchDeletes() async throws {
        try await withRESTHandler { h in
            var body = configMap("g")
            body.setMeta("finalizers", ["example.com/hold"])
            _ = try await h.handle(request(.create, R.configmaps, body: body))
            _ = try await h.handle(request(.delete, R.configmaps, name: "g"))
            _ = try await h.handle(request(.patch, R.configmaps, name: "g", body: ["metadata": ["finalizers": nil]],
                                           contentType: "application/merge-patch+json"))
            _ = try await expectAPIError(h, request(.get, R.configmaps, name: "g"), code: 404)
        }
    }

    @Test func propagationPoliciesAddGarbageCollectorFinalizers() async throws {
        try await withRESTHandler { h in
            _ = try await h.handle(request(.create, R.deployments, body: deployment("fg")))
            let fg = try await h.handle(request(.delete, R.deployments, name: "fg", body: ["propagationPolicy": "Foreground"]))
            #expect(fg.body.finalizers == ["foregroundDeletion"])
            #expect(fg.body.isBeingDeleted)
            _ = try await h.handle(request(.create, R.deployments, body: deployment("or")))
            let or = try await h.handle(request(.delete, R.deployments, name: "or", query: ["propagationPolicy": "Orphan"]))
            #expect(or.body.finalizers == ["orphan"])
            let bad = try await expectAPIError(h, request(.delete, R.deployments, name: "or", body: ["propagationPolicy": "Sideways"]), code: 422)
            #expect(bad.message.contains("propagationPolicy"))
        }
    }

    @Test func preconditionsAreChecked() async throws {
        try await withRESTHandler { h in
            let created = try await h.handle(request(.create, R.configmaps, body: configMap("pc")))
            let e = try await expectAPIError(h, request(.delete, R.configmaps, name: "pc", body: ["preconditions": ["uid": "wrong"]]), code: 409)
            #expect(e.message.contains("Precondition failed"))
            let uid = created.body.metaString("uid") ?? ""
            let r = try await h.handle(request(.delete, R.configmaps, name: "pc", body: ["preconditions": ["uid": .string(uid)]]))
            #expect(r.code == 200)
        }
    }

    @Test func boundPodsAreDeletedGracefully() async throws {
        let fixed = Date(timeIntervalSince1970: 1_800_000_000)
        try await withRESTHandler(now: { fixed }) { h in
            // Unbound: deleted at once.
            _ = try await h.handle(request(.create, R.pods, body: pod("unbound")))
            _ = try await h.handle(request(.delete, R.pods, name: "unbound"))
            _ = try await expectAPIError(h, request(.get, R.pods, name: "unbound"), code: 404)

            // Bound: marked with the pod's grace period.
            _ = try await h.handle(request(.create, R.pods, body: pod("bound") { $0["spec"]?["terminationGracePeriodSeconds"] = 45 }))
            _ = try await h.handle(request(.create, R.pods, name: "bound", subresource: "binding",
                                           body: ["apiVersion": "v1", "kind": "Binding", "metadata": ["name": "bound"],
                                                  "target": ["kind": "Node", "name": "n1"]]))
            let marked = try await h.handle(request(.delete, R.pods, name: "bound"))
            #expect(marked.code == 200)
            #expect(marked.body.meta("deletionGracePeriodSeconds") == 45)
            #expect(marked.body.metaString("deletionTimestamp") == Timestamps.format(fixed.addingTimeInterval(45)))
            _ = try await h.handle(request(.get, R.pods, name: "bound"))

            // A shorter grace period shortens it; then grace 0 (the node agent's confirmation) deletes.
            let shorter = try await h.handle(request(.delete, R.pods, name: "bound", query: ["gracePeriodSeconds": "10"]))
            #expect(shorter.body.meta("deletionGracePeriodSeconds") == 10)
            _ = try await h.handle(request(.delete, R.pods, name: "bound", body: ["gracePeriodSeconds": 0]))
            _ = try await expectAPIError(h, request(.get, R.pods, name: "bound"), code: 404)

            // Default grace is 30.
            _ = try await h.handle(request(.create, R.pods, body: pod("dflt") { $0["spec"]?["nodeName"] = "n1" }))
            let d = try await h.handle(request(.delete, R.pods, name: "dflt"))
            #expect(d.body.meta("deletionGracePeriodSeconds") == 30)
        }
    }

    @Test func deleteCollectionBySelector() async throws {
        try await withRESTHandler { h in
            for (name, app) in [("a", "x"), ("b", "x"), ("c", "y")] {
                var cm = configMap(name)
                cm.setMeta("labels", ["app": .string(app)])
                _ = try await h.handle(request(.create, R.configmaps, body: cm))
            }
            let r = try await h.handle(request(.deleteCollection, R.configmaps, query: ["labelSelector": "app=x"]))
            guard case .list(let items, _, _, _) = r.payload else { throw TestFailure() }
            #expect(Set(items.compactMap { $0.metaString("name") }) == ["a", "b"])
            let left = try await h.handle(request(.list, R.configmaps))
            guard case .list(let remaining, _, _, _) = left.payload else { throw TestFailure() }
            #expect(remaining.compactMap { $0.metaString("name") } == ["c"])
        }
    }
}
