import Foundation
import Testing

/// `patch` (strategic, merge and JSON patch), `label`, `annotate` and `scale`.
@Suite(.serialized, .enabled(if: KubectlVersion.everythingPresent, KubectlVersion.skipReason))
struct KubectlPatchTests {
    static let twoContainers = Manifests.deployment(
        "web", replicas: 2, containers: [("app", "nginx:1.25", [("A", "1")]), ("sidecar", "busybox:1.36", [])])

    static func containerImages(_ live: JSON?) -> [String: String] {
        var result: [String: String] = [:]
        for container in live?["spec", "template", "spec", "containers"]?.array ?? [] {
            if let name = container["name"]?.string { result[name] = container["image"]?.string ?? "" }
        }
        return result
    }

    @Test("patch with strategic merge, merge and JSON patches", arguments: KubectlVersion.all)
    func patchTypes(_ version: KubectlVersion) async throws {
        try await withKubectl(version) { kubectl in
            try await kubectl.seed("/apis/apps/v1/namespaces/default/deployments", Self.twoContainers)

            // Strategic merge (the default): containers merge by name, the sidecar stays.
            let strategic = try await kubectl.succeed([
                "patch", "deployment", "web", "--type", "strategic",
                "-p", #"{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.27","env":[{"name":"B","value":"2"}]}]}}}}"#,
            ])
            #expect(strategic.stdout.contains("deployment.apps/web patched"), "\(version): \(strategic)")
            var live = try await kubectl.json(["get", "deploy", "web"])
            #expect(Self.containerImages(live) == ["app": "nginx:1.27", "sidecar": "busybox:1.36"], "\(version): \(live?.description ?? "nil")")
            let env = live?["spec", "template", "spec", "containers", 0, "env"]?.array.compactMap { $0["name"]?.string }
            #expect(Set(env ?? []) == ["A", "B"], "\(version): env merged by name: \(env ?? [])")

            // Strategic directive: delete one container by its merge key.
            try await kubectl.succeed([
                "patch", "deployment", "web",
                "-p", #"{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}"#,
            ])
            live = try await kubectl.json(["get", "deploy", "web"])
            #expect(Self.containerImages(live) == ["app": "nginx:1.27"], "\(version): $patch delete: \(live?.description ?? "nil")")

            // Merge patch: maps merge, lists are replaced whole, null deletes.
            try await kubectl.succeed([
                "patch", "deployment", "web", "--type", "merge",
                "-p", #"{"metadata":{"labels":{"patched":"merge","app":null}},"spec":{"template":{"spec":{"containers":[{"name":"only","image":"busybox:1.36"}]}}}}"#,
            ])
            live = try await kubectl.json(["get", "deploy", "web"])
            #expect(live?["metadata", "labels"]?.stringMap == ["patched": "merge"], "\(version): \(live?["metadata"]?.description ?? "nil")")
            #expect(Self.containerImages(live) == ["only": "busybox:1.36"], "\(version): merge patch replaces lists")

            // JSON patch.
            try await kubectl.succeed([
                "patch", "deployment", "web", "--type", "json",
                "-p", #"[{"op":"replace","path":"/spec/replicas","value":4},{"op":"add","path":"/metadata/labels/j","value":"v"},{"op":"test","path":"/spec/template/spec/containers/0/name","value":"only"}]"#,
            ])
            live = try await kubectl.json(["get", "deploy", "web"])
            #expect(live?["spec", "replicas"]?.int == 4)
            #expect(live?["metadata", "labels"]?.stringMap == ["patched": "merge", "j": "v"])
            try await kubectl.fail([
                "patch", "deployment", "web", "--type", "json",
                "-p", #"[{"op":"test","path":"/spec/replicas","value":99},{"op":"replace","path":"/spec/replicas","value":1}]"#,
            ])
            #expect(try await kubectl.json(["get", "deploy", "web"])?["spec", "replicas"]?.int == 4, "\(version): a failed test op changes nothing")

            // A patch that makes the object invalid is refused, naming the field.
            try await kubectl.fail(["patch", "deployment", "web", "--type", "merge", "-p", #"{"spec":{"replicas":-1}}"#],
                                   mentioning: ["spec.replicas"])
            // Patching a missing object is a NotFound.
            try await kubectl.fail(["patch", "cm", "missing", "-p", #"{"data":{"a":"b"}}"#], mentioning: ["not found"])
        }
    }

    @Test("label and annotate add, refuse to overwrite without --overwrite, and remove", arguments: KubectlVersion.all)
    func labelAndAnnotate(_ version: KubectlVersion) async throws {
        try await withKubectl(version) { kubectl in
            for name in ["a", "b", "c"] {
                try await kubectl.seed("/api/v1/namespaces/default/configmaps",
                                       Manifests.configMap(name, labels: ["group": name == "c" ? "two" : "one"]))
            }
            let labeled = try await kubectl.succeed(["label", "cm", "a", "color=red"])
            #expect(labeled.stdout.contains("configmap/a labeled"), "\(version): \(labeled)")
            try await kubectl.fail(["label", "cm", "a", "color=blue"], mentioning: ["already has a value (red)"])
            try await kubectl.succeed(["label", "cm", "a", "color=blue", "--overwrite"])
            #expect(try await kubectl.json(["get", "cm", "a"])?["metadata", "labels"]?.stringMap == ["group": "one", "color": "blue"])
            try await kubectl.succeed(["label", "cm", "a", "color-"])
            #expect(try await kubectl.json(["get", "cm", "a"])?["metadata", "labels"]?.stringMap == ["group": "one"])
            let bulk = try await kubectl.succeed(["label", "cm", "-l", "group=one", "stage=dev"])
            #expect(bulk.stdout.contains("configmap/a labeled") && bulk.stdout.contains("configmap/b labeled"), "\(version): \(bulk)")
            let staged = try await kubectl.succeed(["get", "cm", "-l", "stage=dev", "-o", "name"])
            #expect(staged.stdout == "configmap/a\nconfigmap/b\n", "\(version): \(staged)")
            try await kubectl.fail(["label", "cm", "a", "bad key!=x"])
            // kubectl checks label syntax itself; the server must check what a patch sends.
            try await kubectl.fail(
                ["patch", "cm", "a", "--type", "merge", "-p", #"{"metadata":{"labels":{"ok":"\#(String(repeating: "v", count: 64))"}}}"#],
                mentioning: ["metadata.labels"])

            let annotated = try await kubectl.succeed(["annotate", "cm", "b", "note=first"])
            // kubectl 1.27 prints "annotate", later versions "annotated".
            #expect(annotated.stdout.contains("configmap/b annotate"), "\(version): \(annotated)")
            try await kubectl.fail(["annotate", "cm", "b", "note=second"], mentioning: ["already has a value (first)"])
            try await kubectl.succeed(["annotate", "cm", "b", "note=second", "--overwrite"])
            #expect(try await kubectl.json(["get", "cm", "b"])?["metadata", "annotations", "note"]?.string == "second")
            try await kubectl.succeed(["annotate", "cm", "b", "note-"])
            #expect(try await kubectl.json(["get", "cm", "b"])?["metadata", "annotations", "note"] == nil)
            try await kubectl.succeed(["annotate", "cm", "--all", "everyone=yes"])
            let everyone = try await kubectl.succeed(["get", "cm", "-o", "jsonpath={.items[*].metadata.annotations.everyone}"])
            #expect(everyone.stdout == "yes yes yes", "\(version): \(everyone)")
        }
    }

    @Test("scale changes replicas through the scale subresource, with preconditions", arguments: KubectlVersion.all)
    func scale(_ version: KubectlVersion) async throws {
        try await withKubectl(version) { kubectl in
            try await kubectl.seed("/apis/apps/v1/namespaces/default/deployments", Manifests.deployment("web", replicas: 2))
            let scaled = try await kubectl.succeed(["scale", "deployment", "web", "--replicas=3"])
            #expect(scaled.stdout.contains("deployment.apps/web scaled"), "\(version): \(scaled)")
            #expect(try await kubectl.json(["get", "deploy", "web"])?["spec", "replicas"]?.int == 3)
            try await kubectl.succeed(["scale", "deploy/web", "--current-replicas=3", "--replicas=5"])
            #expect(try await kubectl.json(["get", "deploy", "web"])?["spec", "replicas"]?.int == 5)
            try await kubectl.fail(["scale", "deploy/web", "--current-replicas=2", "--replicas=1"], mentioning: ["5"])
            #expect(try await kubectl.json(["get", "deploy", "web"])?["spec", "replicas"]?.int == 5)

            let raw = try await kubectl.succeed(["get", "--raw", "/apis/apps/v1/namespaces/default/deployments/web/scale"])
            let scale = JSON(parsing: raw.stdout)
            #expect(scale?["kind"]?.string == "Scale" && scale?["apiVersion"]?.string == "autoscaling/v1", "\(version): \(raw)")
            #expect(scale?["spec", "replicas"]?.int == 5, "\(version): \(raw)")

            try await kubectl.seed("/apis/apps/v1/namespaces/default/deployments", Manifests.deployment("api", replicas: 1))
            try await kubectl.succeed(["scale", "deployment", "web", "api", "--replicas=0"])
            let replicas = try await kubectl.succeed(["get", "deploy", "-o", "jsonpath={.items[*].spec.replicas}"])
            #expect(replicas.stdout == "0 0", "\(version): \(replicas)")
            try await kubectl.fail(["scale", "configmap", "x", "--replicas=1"])
        }
    }
}
