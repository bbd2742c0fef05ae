import APIModel
@testable import APIServer
import Foundation
import Testing

@Suite("REST namespaces", .serialized)
struct RESTNamespaceTests {
    @Test func bootstrapCreatesSystemNamespacesIdempotently() async throws {
        try await withRESTHandler { h in
            try await h.bootstrap()  // a second start changes nothing
            let list = try await h.handle(request(.list, R.namespaces))
            guard case .list(let items, _, _, _) = list.payload else { throw TestFailure() }
            let names = Set(items.compactMap { $0.metaString("name") })
            #expect(names == ["default", "kube-system", "kube-public", "kube-node-lease"])
            let def = try await h.handle(request(.get, R.namespaces, name: "default"))
            #expect(def.body["spec"]?["finalizers"] == ["kubernetes"])
            #expect(def.body["status"]?["phase"] == "Active")
            for name in RESTHandler.systemNamespaces {
                let e = try await expectAPIError(h, request(.delete, R.namespaces, name: name), code: 403)
                #expect(e.reason == "Forbidden")
            }
        }
    }

    @Test func admissionRejectsMissingAndTerminatingNamespaces() async throws {
        try await withRESTHandler { h in
            let missing = try await expectAPIError(h, request(.create, R.configmaps, namespace: "nowhere", body: configMap("c")), code: 404)
            #expect(missing.message == "namespaces \"nowhere\" not found")

            _ = try await h.handle(request(.create, R.namespaces, body: ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "team"]]))
            _ = try await h.handle(request(.create, R.configmaps, namespace: "team", body: configMap("inside")))
            let deleted = try await h.handle(request(.delete, R.namespaces, name: "team"))
            #expect(deleted.body.isBeingDeleted)
            #expect(deleted.body["status"]?["phase"] == "Terminating")
            let ns = try await h.handle(request(.get, R.namespaces, name: "team"))
            #expect(ns.body["status"]?["phase"] == "Terminating")

            let e = try await expectAPIError(h, request(.create, R.configmaps, namespace: "team", body: configMap("late")), code: 403)
            #expect(e.message.contains("because it is being terminated"))
            // Existing content can still be read and deleted.
            _ = try await h.handle(request(.get, R.configmaps, namespace: "team", name: "inside"))
            _ = try await h.handle(request(.delete, R.configmaps, namespace: "team", name: "inside"))

            // The namespace controller's last step: /finalize clears spec.finalizers, which deletes it.
            var finalize = ns.body
            finalize["spec"] = ["finalizers": []]
            _ = try await h.handle(request(.update, R.namespaces, name: "team", subresource: "finalize", body: finalize))
            _ = try await expectAPIError(h, request(.get, R.namespaces, name: "team"), code: 404)
        }
    }
}
