import Foundation
import Testing

/// Client-side `apply -f`, `create -f`, `replace` and `edit`: the write paths that send whole
/// manifests (and, for apply and edit, strategic merge patches computed by kubectl).
@Suite(.serialized, .enabled(if: KubectlVersion.everythingPresent, KubectlVersion.skipReason))
struct KubectlApplyTests {
    static func containers(_ deployment: JSON) -> [JSON] {
        deployment["spec", "template", "spec", "containers"]?.array ?? []
    }

    static func env(_ container: JSON) -> [String: String] {
        var result: [String: String] = [:]
        for entry in container["env"]?.array ?? [] {
            if let name = entry["name"]?.string { result[name] = entry["value"]?.string ?? "" }
        }
        return result
    }

    @Test("apply -f creates, then updates containers, env and labels from the changed manifest", arguments: KubectlVersion.all)
    func applyCreatesThenUpdates(_ version: KubectlVersion) async throws {
        try await withKubectl(version) { kubectl in
            let first = try kubectl.file("web-v1.json", Manifests.deployment(
                "web", replicas: 2, labels: ["app": "web", "tier": "front"],
                containers: [("app", "nginx:1.25", [("A", "1"), ("GONE", "x")])]))
            let created = try await kubectl.require(["apply", "-f", first])
            #expect(created.stdout.contains("deployment.apps/web created"), "\(version): \(created)")
            if let live = try await kubectl.json(["get", "deployment", "web"]) {
                #expect(live["metadata", "labels"]?.stringMap == ["app": "web", "tier": "front"])
                #expect(live["metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"]?.string != nil,
                        "\(version): apply stores its last-applied annotation: \(live)")
                #expect(live["metadata", "generation"]?.int == 1, "\(version): generation starts at 1")
                #expect(Self.containers(live).first.map(Self.env) == ["A": "1", "GONE": "x"])
            }

            let second = try kubectl.file("web-v2.json", Manifests.deployment(
                "web", replicas: 2, labels: ["app": "web", "release": "v2"],
                containers: [("app", "nginx:1.27", [("A", "2"), ("B", "new")]), ("sidecar", "busybox:1.36", [])]))
            let configured = try await kubectl.require(["apply", "-f", second])
            #expect(configured.stdout.contains("deployment.apps/web configured"), "\(version): \(configured)")
            if let live = try await kubectl.json(["get", "deployment", "web"]) {
                #expect(live["metadata", "labels"]?.stringMap == ["app": "web", "release": "v2"],
                        "\(version): a label dropped from the manifest is removed, a new one added: \(live["metadata", "labels"]?.description ?? "nil")")
                let containers = Self.containers(live)
                #expect(containers.compactMap { $0["name"]?.string } == ["app", "sidecar"], "\(version): \(containers)")
                #expect(containers.first?["image"]?.string == "nginx:1.27")
                #expect(containers.last?["image"]?.string == "busybox:1.36")
                #expect(containers.first.map(Self.env) == ["A": "2", "B": "new"],
                        "\(version): env merged by name, dropped entries removed: \(containers.first?.description ?? "nil")")
                #expect(live["metadata", "generation"]?.int == 2, "\(version): a spec change bumps generation: \(live["metadata"]?.description ?? "")")
            }

            let unchanged = try await kubectl.succeed(["apply", "-f", second])
            #expect(unchanged.stdout.contains("deployment.apps/web unchanged"), "\(version): \(unchanged)")

            // A ConfigMap: a key removed from the manifest disappears from the object.
            let cm1 = try kubectl.file("cm-v1.json", Manifests.configMap("settings", data: ["a": "1", "b": "2"]))
            try await kubectl.succeed(["apply", "-f", cm1])
            let cm2 = try kubectl.file("cm-v2.json", Manifests.configMap("settings", data: ["a": "1", "c": "3"]))
            try await kubectl.succeed(["apply", "-f", cm2])
            let settings = try await kubectl.json(["get", "cm", "settings"])
            #expect(settings?["data"]?.stringMap == ["a": "1", "c": "3"], "\(version): \(settings?.description ?? "nil")")

            let dryRun = try kubectl.file("cm-v3.json", Manifests.configMap("settings", data: ["a": "dry"]))
            try await kubectl.succeed(["apply", "-f", dryRun, "--dry-run=server"])
            let afterDryRun = try await kubectl.json(["get", "cm", "settings"])
            #expect(afterDryRun?["data"]?.stringMap == ["a": "1", "c": "3"], "\(version): --dry-run=server changes nothing")
        }
    }

    @Test("apply --server-side creates, updates and reports conflicts", arguments: KubectlVersion.all)
    func serverSideApply(_ version: KubectlVersion) async throws {
        try await withKubectl(version) { kubectl in
            let manifest = try kubectl.file("ssa.json", Manifests.configMap("ssa", data: ["a": "1", "b": "2"]))
            let created = try await kubectl.require(["apply", "--server-side", "-f", manifest])
            #expect(created.stdout.contains("configmap/ssa serverside-applied"), "\(version): \(created)")
            let changed = try kubectl.file("ssa2.json", Manifests.configMap("ssa", data: ["a": "1"]))
            try await kubectl.succeed(["apply", "--server-side", "-f", changed])
            let live = try await kubectl.json(["get", "cm", "ssa", "--show-managed-fields"])
            #expect(live?["data"]?.stringMap == ["a": "1"], "\(version): a field the manager dropped is removed")
            #expect(live?["metadata", "managedFields", 0, "manager"]?.string == "kubectl", "\(version): \(live?.description ?? "nil")")
            let other = try kubectl.file("ssa3.json", Manifests.configMap("ssa", data: ["a": "other"]))
            try await kubectl.fail(["apply", "--server-side", "--field-manager=other", "-f", other], mentioning: ["conflict"])
            try await kubectl.succeed(["apply", "--server-side", "--field-manager=other", "--force-conflicts", "-f", other])
            #expect(try await kubectl.json(["get", "cm", "ssa"])?["data"]?.stringMap == ["a": "other"])
        }
    }

    @Test("create -f creates every object once and refuses duplicates and unknown fields", arguments: KubectlVersion.all)
    func createFromFile(_ version: KubectlVersion) async throws {
        try await withKubectl(version) { kubectl in
            let path = try kubectl.file("objects.yaml", """
                apiVersion: v1
                kind: ConfigMap
                metadata:
                  name: one
                  labels: {set: a}
                data:
                  key: value
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata:
                  name: api
                spec:
                  replicas: 1
                  selector: {matchLabels: {app: api}}
                  template:
                    metadata: {labels: {app: api}}
                    spec:
                      containers:
                      - name: api
                        image: nginx:1.25
                        ports: [{containerPort: 80}]
                """)
            let created = try await kubectl.require(["create", "-f", path])
            #expect(created.stdout.contains("configmap/one created") && created.stdout.contains("deployment.apps/api created"),
                    "\(version): \(created)")
            let one = try await kubectl.json(["get", "cm", "one"])
            #expect(one?["data", "key"]?.string == "value")
            let api = try await kubectl.json(["get", "deploy", "api"])
            #expect(api?["spec", "template", "spec", "containers", 0, "ports", 0, "containerPort"]?.int == 80)
            #expect(api?["spec", "strategy", "type"]?.string == "RollingUpdate", "\(version): defaults applied: \(api?.description ?? "nil")")

            try await kubectl.fail(["create", "-f", path], mentioning: ["already exists"])

            let unknown = try kubectl.file("unknown.json", """
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"strict"},"data":{"a":"1"},"dataa":{"b":"2"}}
                """)
            try await kubectl.fail(["create", "-f", unknown], mentioning: ["dataa"])
            #expect(try await kubectl.exists(["cm", "strict"]) == false, "\(version): nothing half-written")

            let generated = try kubectl.file("generate.json", """
                {"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"gen-"},"data":{"a":"1"}}
                """)
            let made = try await kubectl.succeed(["create", "-f", generated, "-o", "name"])
            #expect(made.stdout.hasPrefix("configmap/gen-") && made.stdout.count > "configmap/gen-\n".count, "\(version): \(made)")
        }
    }

    @Test("replace swaps the whole object and refuses a stale resourceVersion", arguments: KubectlVersion.all)
    func replace(_ version: KubectlVersion) async throws {
        try await withKubectl(version) { kubectl in
            try await kubectl.seed("/api/v1/namespaces/default/configmaps",
                                   Manifests.configMap("target", labels: ["keep": "no"], data: ["a": "1", "b": "2"]))
            let original = try await kubectl.require(["get", "cm", "target", "-o", "json"]).stdout
            let replacement = try kubectl.file("replace.json", Manifests.configMap("target", labels: ["new": "yes"], data: ["c": "3"]))
            let replaced = try await kubectl.require(["replace", "-f", replacement])
            #expect(replaced.stdout.contains("configmap/target replaced"), "\(version): \(replaced)")
            let live = try await kubectl.json(["get", "cm", "target"])
            #expect(live?["data"]?.stringMap == ["c": "3"], "\(version): \(live?.description ?? "nil")")
            #expect(live?["metadata", "labels"]?.stringMap == ["new": "yes"])

            // The object as first read carries its old resourceVersion: replacing with it conflicts.
            let stale = try kubectl.file("stale.json", original)
            try await kubectl.fail(["replace", "-f", stale], mentioning: ["the object has been modified"])
            #expect(try await kubectl.json(["get", "cm", "target"])?["data"]?.stringMap == ["c": "3"])

            let forced = try await kubectl.succeed(["replace", "--force", "-f", replacement])
            #expect(forced.stdout.contains("replaced"), "\(version): \(forced)")
        }
    }

    @Test("edit applies what the editor wrote", arguments: KubectlVersion.all)
    func edit(_ version: KubectlVersion) async throws {
        try await withKubectl(version) { kubectl in
            try await kubectl.seed("/api/v1/namespaces/default/configmaps",
                                   Manifests.configMap("colors", labels: ["app": "paint"], data: ["color": "blue"]))
            try await kubectl.seed("/apis/apps/v1/namespaces/default/deployments", Manifests.deployment("web"))
            let editor = try kubectl.file("editor.sh", """
                #!/bin/sh
                # Rewrites the file kubectl opened, as a person in an editor would.
                sed -i -e 's/color: blue/color: green/' -e 's/image: nginx:1.25/image: nginx:1.27/' -e 's/replicas: 2/replicas: 5/' "$1"
                """)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: editor)
            let edited = try await kubectl.succeed(["edit", "cm", "colors"], environment: ["EDITOR": editor, "KUBE_EDITOR": editor])
            #expect(edited.stdout.contains("configmap/colors edited"), "\(version): \(edited)")
            #expect(try await kubectl.json(["get", "cm", "colors"])?["data", "color"]?.string == "green")

            let deployment = try await kubectl.succeed(["edit", "deployment/web"], environment: ["EDITOR": editor, "KUBE_EDITOR": editor])
            #expect(deployment.stdout.contains("deployment.apps/web edited"), "\(version): \(deployment)")
            let live = try await kubectl.json(["get", "deploy", "web"])
            #expect(live?["spec", "replicas"]?.int == 5)
            #expect(live?["spec", "template", "spec", "containers", 0, "image"]?.string == "nginx:1.27")

            let noop = try kubectl.file("noop.sh", "#!/bin/sh\nexit 0\n")
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: noop)
            let cancelled = try await kubectl.succeed(["edit", "cm", "colors"], environment: ["EDITOR": noop, "KUBE_EDITOR": noop])
            #expect(cancelled.stderr.contains("Edit cancelled") || cancelled.stdout.contains("Edit cancelled"), "\(version): \(cancelled)")
        }
    }
}
