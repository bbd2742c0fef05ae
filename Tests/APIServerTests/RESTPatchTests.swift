import APIModel
@testable import APIServer
import Foundation
import Testing

@Suite("REST patch and apply", .serialized)
struct RESTPatchTests {
    @Test func jsonPatchMergePatchAndStrategicMergePatch() async throws {
        try await withRESTHandler { h in
            _ = try await h.handle(request(.create, R.deployments, body: deployment("web")))
            // JSON patch.
            let jp = try await h.handle(request(.patch, R.deployments, name: "web",
                                                body: [["op": "replace", "path": "/spec/replicas", "value": 4]],
                                                contentType: "application/json-patch+json"))
            #expect(jp.body["spec"]?["replicas"] == 4)
            #expect(jp.body.meta("generation") == 2)
            // Merge patch (kubectl label).
            let mp = try await h.handle(request(.patch, R.deployments, name: "web",
                                                body: ["metadata": ["labels": ["env": "prod"]]],
                                                contentType: "application/merge-patch+json"))
            #expect(mp.body.meta("labels")?["env"] == "prod")
            #expect(mp.body.meta("labels")?["app"] == "web")
            #expect(mp.body.meta("generation") == 2)
            // Strategic merge patch as client-side `kubectl apply` sends it.
            let annotation = "{\"kind\":\"Deployment\"}"
            let smp: JSONValue = [
                "metadata": ["annotations": ["kubectl.kubernetes.io/last-applied-configuration": .string(annotation)]],
                "spec": ["template": ["spec": [
                    "$setElementOrder/containers": [["name": "c"], ["name": "sidecar"]],
                    "containers": [["image": "nginx:1.28", "name": "c"], ["image": "busybox", "name": "sidecar"]],
                ]]],
            ]
            let sp = try await h.handle(request(.patch, R.deployments, name: "web", body: smp,
                                                contentType: "application/strategic-merge-patch+json",
                                                query: ["fieldManager": "kubectl-client-side-apply", "fieldValidation": "Strict"]))
            let containers = sp.body["spec"]?["template"]?["spec"]?["containers"]?.arrayValue ?? []
            #expect(containers.compactMap { $0["name"]?.stringValue } == ["c", "sidecar"])
            #expect(containers.first?["image"] == "nginx:1.28")
            #expect(containers.first?["imagePullPolicy"] == "IfNotPresent")  // defaulted on the merged result
            #expect(sp.body.meta("annotations")?["kubectl.kubernetes.io/last-applied-configuration"] == .string(annotation))
            #expect(sp.body.meta("generation") == 3)

            // A failing JSON patch test writes nothing.
            let failing = try await h.handle(request(.get, R.deployments, name: "web"))
            _ = try await expectAPIError(h, request(.patch, R.deployments, name: "web",
                                                    body: [["op": "test", "path": "/spec/replicas", "value": 99],
                                                           ["op": "replace", "path": "/spec/replicas", "value": 1]],
                                                    contentType: "application/json-patch+json"), code: 422)
            let after = try await h.handle(request(.get, R.deployments, name: "web"))
            #expect(after.body.metaString("resourceVersion") == failing.body.metaString("resourceVersion"))

            // Patch with a stale resourceVersion conflicts.
            _ = try await expectAPIError(h, request(.patch, R.deployments, name: "web",
                                                    body: ["metadata": ["resourceVersion": "1"], "spec": ["replicas": 1]],
                                                    contentType: "application/merge-patch+json"), code: 409)
            // Unknown fields under Strict: 400 naming the field; Warn: a warning.
            let strict = try await expectAPIError(h, request(.patch, R.deployments, name: "web", body: ["spec": ["bogus": 1]],
                                                             contentType: "application/merge-patch+json",
                                                             query: ["fieldValidation": "Strict"]), code: 400)
            #expect(strict.message.contains("bogus"))
            let warn = try await h.handle(request(.patch, R.deployments, name: "web", body: ["spec": ["bogus": 1]],
                                                  contentType: "application/merge-patch+json", query: ["fieldValidation": "Warn"]))
            #expect(warn.warnings.contains { $0.contains("bogus") }, "\(warn.warnings)")
            #expect(warn.body["spec"]?["bogus"] == nil)

            // Missing object: 404; unsupported patch type: 415.
            _ = try await expectAPIError(h, request(.patch, R.deployments, name: "ghost", body: ["spec": ["replicas": 1]],
                                                    contentType: "application/merge-patch+json"), code: 404)
            _ = try await expectAPIError(h, request(.patch, R.deployments, name: "web", body: ["spec": ["replicas": 1]],
                                                    contentType: "application/json"), code: 415)
        }
    }

    @Test func statusPatchChangesOnlyStatus() async throws {
        try await withRESTHandler { h in
            _ = try await h.handle(request(.create, R.pods, body: pod("p")))
            let r = try await h.handle(request(.patch, R.pods, name: "p", subresource: "status",
                                               body: ["status": ["phase": "Running"], "spec": ["nodeName": "sneaky"],
                                                      "metadata": ["labels": ["x": "y"]]],
                                               contentType: "application/merge-patch+json"))
            #expect(r.body["status"]?["phase"] == "Running")
            #expect(r.body["spec"]?["nodeName"] == nil)
            #expect(r.body.meta("labels")?["x"] == nil)
            // And a main-resource patch cannot change status.
            let m = try await h.handle(request(.patch, R.pods, name: "p", body: ["status": ["phase": "Failed"]],
                                               contentType: "application/merge-patch+json"))
            #expect(m.body["status"]?["phase"] == "Running")
        }
    }

    @Test func serverSideApplyCreatesUpdatesAndReportsConflicts() async throws {
        try await withRESTHandler { h in
            let manifest = deployment("ssa", replicas: 2).encoded()
            let applyType = "application/apply-patch+yaml"
            let created = try await h.handle(request(.patch, R.deployments, name: "ssa", raw: manifest, contentType: applyType,
                                                     query: ["fieldManager": "kubectl", "force": "false"]))
            #expect(created.code == 201)
            #expect(created.body["spec"]?["replicas"] == 2)
            #expect(created.body.meta("managedFields")?[0]?["manager"] == "kubectl")
            #expect(created.body.meta("managedFields")?[0]?["operation"] == "Apply")

            // Re-applying a changed manifest updates (200).
            let changed = deployment("ssa", replicas: 3).encoded()
            let updated = try await h.handle(request(.patch, R.deployments, name: "ssa", raw: changed, contentType: applyType,
                                                     query: ["fieldManager": "kubectl"]))
            #expect(updated.code == 200)
            #expect(updated.body["spec"]?["replicas"] == 3)

            // Another manager changes replicas through an update; kubectl's next apply conflicts…
            _ = try await h.handle(request(.patch, R.deployments, name: "ssa", body: ["spec": ["replicas": 7]],
                                           contentType: "application/merge-patch+json", query: ["fieldManager": "hpa"]))
            let conflict = try await expectAPIError(h, request(.patch, R.deployments, name: "ssa", raw: changed, contentType: applyType,
                                                               query: ["fieldManager": "kubectl"]), code: 409)
            #expect(conflict.reason == "Conflict")
            let causes = conflict.status["details"]?["causes"]?.arrayValue ?? []
            #expect(causes.contains { $0["field"] == ".spec.replicas" && $0["reason"] == "FieldManagerConflict" }, "\(conflict.status)")
            // …unless forced.
            let forced = try await h.handle(request(.patch, R.deployments, name: "ssa", raw: changed, contentType: applyType,
                                                    query: ["fieldManager": "kubectl", "force": "true"]))
            #expect(forced.body["spec"]?["replicas"] == 3)

            // fieldManager is required; dry-run apply creates nothing.
            _ = try await expectAPIError(h, request(.patch, R.deployments, name: "ssa", raw: changed, contentType: applyType), code: 400)
            let dry = try await h.handle(request(.patch, R.deployments, name: "drydep", raw: deployment("drydep").encoded(),
                                                 contentType: applyType, query: ["fieldManager": "kubectl", "dryRun": "All"]))
            #expect(dry.code == 201)
            _ = try await expectAPIError(h, request(.get, R.deployments, name: "drydep"), code: 404)
        }
    }

    @Test func managedFieldsFollowTheUserAgent() async throws {
        try await withRESTHandler { h in
            let r = try await h.handle(request(.create, R.configmaps, body: configMap("mf")))
            let managers = (r.body.meta("managedFields")?.arrayValue ?? []).compactMap { $0["manager"]?.stringValue }
            #expect(managers == ["kubectl"])
            let r2 = try await h.handle(request(.create, R.configmaps, body: configMap("mf2"), query: ["fieldManager": "mine"]))
            let managers2 = (r2.body.meta("managedFields")?.arrayValue ?? []).compactMap { $0["manager"]?.stringValue }
            #expect(managers2 == ["mine"])
        }
    }

    @Test func concurrentPatchesAllLand() async throws {
        try await withRESTHandler { h in
            _ = try await h.handle(request(.create, R.configmaps, body: configMap("busy")))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<10 {
                    group.addTask {
                        _ = try await h.handle(request(.patch, R.configmaps, name: "busy",
                                                       body: ["metadata": ["labels": ["k\(i)": "v"]]],
                                                       contentType: "application/merge-patch+json"))
                    }
                }
                try await group.waitForAll()
            }
            let got = try await h.handle(request(.get, R.configmaps, name: "busy"))
            #expect(got.body.meta("labels")?.objectValue?.count == 10)
        }
    }
}
