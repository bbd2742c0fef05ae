import Foundation
import Testing

/// `delete` (by name, by selector, with each cascade policy) and `wait` on conditions,
/// deletion and JSONPath values, without controllers: the tests make the changes themselves.
@Suite(.serialized, .enabled(if: KubectlVersion.everythingPresent, KubectlVersion.skipReason))
struct KubectlDeleteWaitTests {
    @Test("delete by name and by label selector", arguments: KubectlVersion.all)
    func deleteByNameAndSelector(_ version: KubectlVersion) async throws {
        try await withKubectl(version) { kubectl in
            for (name, app) in [("a", "x"), ("b", "x"), ("c", "x"), ("d", "y")] {
                try await kubectl.seed("/api/v1/namespaces/default/configmaps", Manifests.configMap(name, labels: ["app": app]))
            }
            let byName = try await kubectl.succeed(["delete", "configmap", "a"])
            #expect(byName.stdout.contains(#"configmap "a" deleted"#), "\(version): \(byName)")
            #expect(try await kubectl.exists(["cm", "a"]) == false)
            try await kubectl.fail(["delete", "configmap", "a"], mentioning: ["not found"])
            let ignored = try await kubectl.succeed(["delete", "configmap", "a", "--ignore-not-found"])
            #expect(ignored.stdout.isEmpty, "\(version): \(ignored)")

            let bySelector = try await kubectl.succeed(["delete", "cm", "-l", "app=x"])
            #expect(bySelector.stdout.contains(#"configmap "b" deleted"#) && bySelector.stdout.contains(#"configmap "c" deleted"#),
                    "\(version): \(bySelector)")
            let left = try await kubectl.succeed(["get", "cm", "-o", "name"])
            #expect(left.stdout == "configmap/d\n", "\(version): \(left)")

            try await kubectl.seed("/api/v1/namespaces/default/configmaps", Manifests.configMap("e"))
            let dryRun = try await kubectl.succeed(["delete", "cm", "e", "--dry-run=server"])
            #expect(dryRun.stdout.contains("server dry run"), "\(version): \(dryRun)")
            #expect(try await kubectl.exists(["cm", "e"]), "\(version): a server dry run deletes nothing")

            let all = try await kubectl.succeed(["delete", "cm", "--all"])
            #expect(all.stdout.contains(#"configmap "d" deleted"#) && all.stdout.contains(#"configmap "e" deleted"#), "\(version): \(all)")
            #expect(try await kubectl.succeed(["get", "cm", "-o", "name"]).stdout.isEmpty)
        }
    }

    /// With a garbage collector an object deleted with the foreground or orphan policy is gone
    /// once its dependents are handled; the apiserver alone marks it: deletionTimestamp set and
    /// the policy's finalizer added. Either state is Kubernetes behaviour; anything else is not.
    static func expectGoneOrFinalizing(_ kubectl: Kubectl, _ resource: String, finalizer: String,
                                       sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let result = try await kubectl.run(["get", resource, "-o", "json"])
        if !result.succeeded {
            #expect(result.stderr.contains("not found"), "\(kubectl.version): \(result)", sourceLocation: sourceLocation)
            return
        }
        let live = JSON(parsing: result.stdout)
        #expect(live?["metadata", "deletionTimestamp"]?.string != nil,
                "\(kubectl.version): \(resource) still exists without a deletionTimestamp: \(result.stdout)", sourceLocation: sourceLocation)
        #expect(live?["metadata", "finalizers"]?.array.compactMap(\.string).contains(finalizer) == true,
                "\(kubectl.version): \(resource) lacks the \(finalizer) finalizer: \(result.stdout)", sourceLocation: sourceLocation)
    }

    @Test("delete --cascade=background, foreground and orphan", arguments: KubectlVersion.all)
    func deleteCascade(_ version: KubectlVersion) async throws {
        try await withKubectl(version) { kubectl in
            for name in ["bg", "fg", "orphan"] {
                try await kubectl.seed("/apis/apps/v1/namespaces/default/deployments", Manifests.deployment(name))
            }
            let background = try await kubectl.succeed(["delete", "deployment", "bg", "--cascade=background"])
            #expect(background.stdout.contains(#"deployment.apps "bg" deleted"#), "\(version): \(background)")
            #expect(try await kubectl.exists(["deploy", "bg"]) == false, "\(version): background deletion removes the object at once")

            let foreground = try await kubectl.succeed(["delete", "deployment", "fg", "--cascade=foreground", "--wait=false"])
            #expect(foreground.stdout.contains(#"deployment.apps "fg" deleted"#), "\(version): \(foreground)")
            try await Self.expectGoneOrFinalizing(kubectl, "deployment/fg", finalizer: "foregroundDeletion")

            let orphan = try await kubectl.succeed(["delete", "deployment", "orphan", "--cascade=orphan", "--wait=false"])
            #expect(orphan.stdout.contains(#"deployment.apps "orphan" deleted"#), "\(version): \(orphan)")
            try await Self.expectGoneOrFinalizing(kubectl, "deployment/orphan", finalizer: "orphan")

            // A finalizer of someone else's holds the object until it is removed.
            try await kubectl.seed("/api/v1/namespaces/default/configmaps", """
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"held","finalizers":["example.com/hold"]}}
                """)
            try await kubectl.succeed(["delete", "cm", "held", "--wait=false"])
            try await Self.expectGoneOrFinalizing(kubectl, "cm/held", finalizer: "example.com/hold")
            #expect(try await kubectl.exists(["cm", "held"]), "\(version): a finalizer keeps the object")
            let waiter = try kubectl.start(["wait", "--for=delete", "cm/held", "--timeout=60s"])
            try await kubectl.succeed(["patch", "cm", "held", "--type", "merge", "-p", #"{"metadata":{"finalizers":null}}"#])
            let waited = await waiter.finish(timeout: .seconds(90))
            #expect(waited.succeeded, "\(version): removing the last finalizer deletes the object: \(waited)")
            #expect(try await kubectl.exists(["cm", "held"]) == false)
        }
    }

    @Test("wait --for=condition, --for=delete and --for=jsonpath", arguments: KubectlVersion.all)
    func waitFor(_ version: KubectlVersion) async throws {
        try await withKubectl(version) { kubectl in
            try await kubectl.seed("/api/v1/namespaces/default/pods", Manifests.pod("p1"))
            // Started first, so that the condition arrives through the watch.
            let ready = try kubectl.start(["wait", "--for=condition=Ready", "pod/p1", "--timeout=60s"])
            let patched = try await kubectl.succeed([
                "patch", "pod", "p1", "--subresource=status", "--type=merge",
                "-p", #"{"status":{"conditions":[{"type":"Ready","status":"True"}]}}"#,
            ])
            #expect(patched.stdout.contains("pod/p1 patched"), "\(version): \(patched)")
            let readyResult = await ready.finish(timeout: .seconds(90))
            #expect(readyResult.succeeded && readyResult.stdout.contains("pod/p1 condition met"), "\(version): \(readyResult)")
            let pod = try await kubectl.json(["get", "pod", "p1"])
            #expect(pod?["status", "conditions", 0, "type"]?.string == "Ready", "\(version): status written through /status")
            let again = try await kubectl.succeed(["wait", "--for=condition=Ready", "pod/p1", "--timeout=30s"])
            #expect(again.stdout.contains("condition met"), "\(version): \(again)")
            try await kubectl.succeed([
                "patch", "pod", "p1", "--type=merge", "-p", #"{"metadata":{"labels":{"x":"y"}},"status":{"conditions":[]}}"#,
            ])
            let kept = try await kubectl.json(["get", "pod", "p1"])
            #expect(kept?["status", "conditions", 0, "type"]?.string == "Ready",
                    "\(version): a write to the main resource does not change status: \(kept?["status"]?.description ?? "nil")")

            try await kubectl.seed("/apis/apps/v1/namespaces/default/deployments", Manifests.deployment("web", replicas: 1))
            let replicas = try kubectl.start(["wait", "--for=jsonpath={.spec.replicas}=3", "deployment/web", "--timeout=60s"])
            try await kubectl.succeed(["scale", "deployment", "web", "--replicas=3"])
            let replicasResult = await replicas.finish(timeout: .seconds(90))
            #expect(replicasResult.succeeded && replicasResult.stdout.contains("condition met"), "\(version): \(replicasResult)")

            try await kubectl.seed("/api/v1/namespaces/default/configmaps", Manifests.configMap("doomed"))
            let deletion = try kubectl.start(["wait", "--for=delete", "configmap/doomed", "--timeout=60s"])
            try await kubectl.succeed(["delete", "configmap", "doomed", "--wait=false"])
            let deletionResult = await deletion.finish(timeout: .seconds(90))
            #expect(deletionResult.succeeded, "\(version): \(deletionResult)")

            let timeout = try await kubectl.run(["wait", "--for=condition=Missing", "pod/p1", "--timeout=2s"])
            #expect(!timeout.succeeded && timeout.stderr.contains("timed out"), "\(version): \(timeout)")
        }
    }
}
