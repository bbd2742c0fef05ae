import APIModel
@testable import APIServer
import Foundation
import Testing

@Suite("REST create/get/update", .serialized)
struct RESTCreateUpdateTests {
    @Test func createFillsSystemFieldsAndGetReturnsIt() async throws {
        try await withRESTHandler { h in
            let created = try await h.handle(request(.create, R.configmaps, body: configMap("cm1")))
            #expect(created.code == 201)
            let meta = created.body["metadata"]
            #expect(meta?["namespace"] == "default")
            #expect((meta?["uid"]?.stringValue ?? "").count == 36)
            #expect(meta?["creationTimestamp"]?.stringValue?.hasSuffix("Z") == true)
            #expect(meta?["generation"] == 1)
            #expect((meta?["resourceVersion"]?.stringValue ?? "").isEmpty == false)
            #expect(meta?["managedFields"] != nil || true)  // recorded by ManagedFields; shape tested there
            let got = try await h.handle(request(.get, R.configmaps, name: "cm1"))
            #expect(got.code == 200)
            #expect(got.body["data"] == ["a": "1"])
            #expect(got.body.metaString("uid") == meta?["uid"]?.stringValue)

            let again = try await expectAPIError(h, request(.create, R.configmaps, body: configMap("cm1")), code: 409)
            #expect(again.reason == "AlreadyExists")
            #expect(again.message == "configmaps \"cm1\" already exists")

            let missing = try await expectAPIError(h, request(.get, R.configmaps, name: "nope"), code: 404)
            #expect(missing.reason == "NotFound")
            #expect(missing.status["details"]?["name"] == "nope")
        }
    }

    @Test func generateNameAddsFiveCharacterSuffix() async throws {
        try await withRESTHandler { h in
            var body = configMap("")
            body.setMeta("name", nil)
            body.setMeta("generateName", "gen-")
            var names = Set<String>()
            for _ in 0..<5 {
                let r = try await h.handle(request(.create, R.configmaps, body: body))
                let name = r.body.metaString("name") ?? ""
                #expect(name.hasPrefix("gen-") && name.count == 9, "\(name)")
                names.insert(name)
            }
            #expect(names.count == 5)
            let list = try await h.handle(request(.list, R.configmaps))
            guard case .list(let items, _, _, _) = list.payload else { throw TestFailure() }
            #expect(items.count == 5)
        }
    }

    @Test func namespaceFromURLMustMatchBody() async throws {
        try await withRESTHandler { h in
            var body = configMap("x")
            body.setMeta("namespace", "kube-system")
            let e = try await expectAPIError(h, request(.create, R.configmaps, namespace: "default", body: body), code: 400)
            #expect(e.message.contains("namespace"))
        }
    }

    @Test func updateWithStaleResourceVersionConflicts() async throws {
        try await withRESTHandler { h in
            let created = try await h.handle(request(.create, R.configmaps, body: configMap("cm")))
            var v1 = created.body
            v1["data"] = ["a": "2"]
            let updated = try await h.handle(request(.update, R.configmaps, name: "cm", body: v1))
            #expect(updated.code == 200)
            #expect(updated.body["data"] == ["a": "2"])
            #expect(updated.body.metaString("resourceVersion") != created.body.metaString("resourceVersion"))
            #expect(updated.body.metaString("uid") == created.body.metaString("uid"))
            #expect(updated.body.metaString("creationTimestamp") == created.body.metaString("creationTimestamp"))
            #expect(updated.body.meta("generation") == 2)  // no spec: data counts

            // The same stale body again: 409 with Kubernetes' words, nothing written.
            v1["data"] = ["a": "3"]
            let conflict = try await expectAPIError(h, request(.update, R.configmaps, name: "cm", body: v1), code: 409)
            #expect(conflict.reason == "Conflict")
            #expect(conflict.message == "Operation cannot be fulfilled on configmaps \"cm\": the object has been modified; please apply your changes to the latest version and try again")
            let got = try await h.handle(request(.get, R.configmaps, name: "cm"))
            #expect(got.body["data"] == ["a": "2"])

            // Without a resourceVersion the update is unconditional.
            v1.setMeta("resourceVersion", nil)
            let forced = try await h.handle(request(.update, R.configmaps, name: "cm", body: v1))
            #expect(forced.body["data"] == ["a": "3"])

            // Name in body must match the URL.
            let mismatch = try await expectAPIError(h, request(.update, R.configmaps, name: "other", body: v1), code: 400)
            #expect(mismatch.message.contains("does not match the name on the URL"))

            // PUT of a missing object is 404 for kinds that do not create on update.
            var ghost = configMap("ghost")
            ghost.setMeta("namespace", "default")
            _ = try await expectAPIError(h, request(.update, R.configmaps, name: "ghost", body: ghost), code: 404)
        }
    }

    @Test func generationBumpsOnlyOnSpecChangesAndMainPutKeepsStatus() async throws {
        try await withRESTHandler { h in
            let created = try await h.handle(request(.create, R.deployments, body: deployment("web")))
            #expect(created.body.meta("generation") == 1)
            #expect(created.body["status"] == .emptyObject)
            #expect(created.body["spec"]?["strategy"]?["type"] == "RollingUpdate")  // defaulted

            // Status through /status: generation unchanged, spec untouched even if sent.
            var statusBody = created.body
            statusBody["status"] = ["replicas": 2, "observedGeneration": 1]
            statusBody["spec"]?["replicas"] = 9
            let s = try await h.handle(request(.update, R.deployments, name: "web", subresource: "status", body: statusBody))
            #expect(s.body["status"]?["replicas"] == 2)
            #expect(s.body["spec"]?["replicas"] == 2)
            #expect(s.body.meta("generation") == 1)

            // Label change on the main resource: no generation bump; status kept though the body drops it.
            var labelled = s.body
            labelled.setMeta("labels", ["app": "web", "tier": "front"])
            labelled["status"] = nil
            let l = try await h.handle(request(.update, R.deployments, name: "web", body: labelled))
            #expect(l.body.meta("generation") == 1)
            #expect(l.body["status"]?["replicas"] == 2)

            // Spec change: generation 2.
            var scaled = l.body
            scaled["spec"]?["replicas"] = 5
            let sc = try await h.handle(request(.update, R.deployments, name: "web", body: scaled))
            #expect(sc.body.meta("generation") == 2)

            // Selector is immutable: 422 naming the field, nothing written.
            var moved = sc.body
            moved["spec"]?["selector"] = ["matchLabels": ["app": "other"]]
            moved["spec"]?["template"]?["metadata"] = ["labels": ["app": "other"]]
            let e = try await expectAPIError(h, request(.update, R.deployments, name: "web", body: moved), code: 422)
            #expect(e.reason == "Invalid")
            let causes = e.status["details"]?["causes"]?.arrayValue ?? []
            #expect(causes.contains { $0["field"] == "spec.selector" }, "\(e.status)")
        }
    }

    @Test func podUpdateMayChangeImageButNotContainers() async throws {
        try await withRESTHandler { h in
            let created = try await h.handle(request(.create, R.pods, body: pod("p")))
            #expect(created.body["status"]?["phase"] == "Pending")
            #expect(created.body["status"]?["qosClass"] == "BestEffort")
            var image = created.body
            image["spec"]?["containers"] = [["name": "c", "image": "nginx:1.28", "imagePullPolicy": "IfNotPresent",
                                             "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"]]
            let ok = try await h.handle(request(.update, R.pods, name: "p", body: image))
            #expect(ok.body["spec"]?["containers"]?[0]?["image"] == "nginx:1.28")
            var renamed = ok.body
            renamed["spec"]?["containers"] = [["name": "d", "image": "nginx:1.28"]]
            let e = try await expectAPIError(h, request(.update, R.pods, name: "p", body: renamed), code: 422)
            #expect(e.message.contains("spec"), "\(e.message)")
        }
    }

    @Test func dryRunCreateUpdateDeleteLeaveNothing() async throws {
        try await withRESTHandler { h in
            let dry = try await h.handle(request(.create, R.configmaps, body: configMap("dry"), query: ["dryRun": "All"]))
            #expect(dry.code == 201)
            #expect(dry.body.metaString("name") == "dry")
            _ = try await expectAPIError(h, request(.get, R.configmaps, name: "dry"), code: 404)

            let real = try await h.handle(request(.create, R.configmaps, body: configMap("real")))
            var changed = real.body
            changed["data"] = ["a": "changed"]
            let dryUpdate = try await h.handle(request(.update, R.configmaps, name: "real", body: changed, query: ["dryRun": "All"]))
            #expect(dryUpdate.body["data"] == ["a": "changed"])
            _ = try await h.handle(request(.delete, R.configmaps, name: "real", query: ["dryRun": "All"]))
            let got = try await h.handle(request(.get, R.configmaps, name: "real"))
            #expect(got.body["data"] == ["a": "1"])

            _ = try await expectAPIError(h, request(.create, R.configmaps, body: configMap("x"), query: ["dryRun": "Some"]), code: 400)
        }
    }

    @Test func listWithSelectorsAndPaging() async throws {
        try await withRESTHandler { h in
            for i in 0..<5 {
                var cm = configMap("cm\(i)")
                cm.setMeta("labels", ["parity": i % 2 == 0 ? "even" : "odd"])
                _ = try await h.handle(request(.create, R.configmaps, body: cm))
            }
            let even = try await h.handle(request(.list, R.configmaps, query: ["labelSelector": "parity=even"]))
            guard case .list(let items, let rv, _, _) = even.payload else { throw TestFailure() }
            #expect(items.count == 3)
            #expect(Int64(rv) ?? 0 > 0)
            let byName = try await h.handle(request(.list, R.configmaps, query: ["fieldSelector": "metadata.name=cm4"]))
            guard case .list(let named, _, _, _) = byName.payload else { throw TestFailure() }
            #expect(named.map { $0.metaString("name") } == ["cm4"])
            let page = try await h.handle(request(.list, R.configmaps, query: ["limit": "2"]))
            guard case .list(let first, _, let token, _) = page.payload else { throw TestFailure() }
            #expect(first.count == 2)
            let token2 = try #require(token)
            let rest = try await h.handle(request(.list, R.configmaps, query: ["limit": "10", "continue": token2]))
            guard case .list(let second, _, _, _) = rest.payload else { throw TestFailure() }
            #expect(second.count == 3)
            _ = try await expectAPIError(h, request(.list, R.configmaps, query: ["labelSelector": "a in (b"]), code: 400)
            _ = try await expectAPIError(h, request(.list, R.configmaps, query: ["fieldSelector": "spec.bogus=1"]), code: 400)
        }
    }

    @Test func putCreatesLeasesAndMetadataOnlyChangesKeepGeneration() async throws {
        try await withRESTHandler { h in
            let leases = R.resource("leases", group: "coordination.k8s.io")
            let lease: JSONValue = ["apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                                    "metadata": ["name": "node-1", "namespace": "kube-node-lease"],
                                    "spec": ["holderIdentity": "node-1", "leaseDurationSeconds": 40]]
            let created = try await h.handle(request(.update, leases, namespace: "kube-node-lease", name: "node-1", body: lease))
            #expect(created.code == 201)
            #expect(created.body.meta("generation") == 1)
            var renewed = created.body
            renewed["spec"]?["renewTime"] = "2026-11-25T01:00:00.000000Z"
            let r = try await h.handle(request(.update, leases, namespace: "kube-node-lease", name: "node-1", body: renewed))
            #expect(r.code == 200)
            #expect(r.body.meta("generation") == 2)

            // Labels on a ConfigMap: no generation bump; an identical PUT writes nothing.
            let cm = try await h.handle(request(.create, R.configmaps, body: configMap("meta")))
            var labelled = cm.body
            labelled.setMeta("labels", ["x": "y"])
            let l = try await h.handle(request(.update, R.configmaps, name: "meta", body: labelled))
            #expect(l.body.meta("generation") == 1)
            let same = try await h.handle(request(.update, R.configmaps, name: "meta", body: l.body))
            #expect(same.body.metaString("resourceVersion") == l.body.metaString("resourceVersion"))

            // ownerReferences are stored as sent.
            var owned = configMap("owned")
            owned.setMeta("ownerReferences", [["apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                                               "uid": "0b0e2a43-0000-4000-8000-000000000001", "controller": true]])
            let o = try await h.handle(request(.create, R.configmaps, body: owned))
            #expect(o.body.meta("ownerReferences")?[0]?["name"] == "web")
        }
    }
}
