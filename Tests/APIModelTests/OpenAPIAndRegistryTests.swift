import Foundation
import Testing

@testable import APIModel

@Suite("Resource registry")
struct RegistryTests {
    @Test func everyKindHasSchemaAndResourceInfo() throws {
        let expected: [(String, String, String)] = [
            ("", "Namespace", "namespaces"), ("", "Pod", "pods"), ("", "Service", "services"), ("", "Endpoints", "endpoints"),
            ("", "ConfigMap", "configmaps"), ("", "Secret", "secrets"), ("", "Node", "nodes"), ("", "Event", "events"),
            ("", "ServiceAccount", "serviceaccounts"), ("", "PersistentVolume", "persistentvolumes"),
            ("", "PersistentVolumeClaim", "persistentvolumeclaims"), ("", "ReplicationController", "replicationcontrollers"),
            ("apps", "Deployment", "deployments"), ("apps", "ReplicaSet", "replicasets"), ("apps", "StatefulSet", "statefulsets"),
            ("apps", "DaemonSet", "daemonsets"), ("apps", "ControllerRevision", "controllerrevisions"),
            ("batch", "Job", "jobs"), ("batch", "CronJob", "cronjobs"),
            ("coordination.k8s.io", "Lease", "leases"), ("discovery.k8s.io", "EndpointSlice", "endpointslices"),
            ("events.k8s.io", "Event", "events"), ("policy", "PodDisruptionBudget", "poddisruptionbudgets"),
            ("scheduling.k8s.io", "PriorityClass", "priorityclasses"), ("storage.k8s.io", "StorageClass", "storageclasses"),
        ]
        #expect(ResourceRegistry.all.count == expected.count)
        for (group, kind, plural) in expected {
            let r = try #require(ResourceRegistry.resource(group: group, version: "v1", plural: plural), "\(group)/\(plural)")
            #expect(r.kind == kind)
            #expect(r.singular == kind.lowercased())
            let schema = try #require(r.schema.objectSchema)
            #expect(schema.field(named: "metadata") != nil && schema.field(named: "apiVersion") != nil, "\(kind)")
            #expect(schema.name?.hasSuffix("." + kind) == true, "\(kind)")
            #expect(ResourceRegistry.resource(apiVersion: r.gvk.apiVersion, kind: kind)?.plural == plural)
        }
        for gvk in ["autoscaling/v1 Scale", "policy/v1 Eviction", "v1 Binding", "meta.k8s.io/v1 Status",
                    "meta.k8s.io/v1 DeleteOptions", "meta.k8s.io/v1 Table"] {
            let parts = gvk.split(separator: " ")
            let gv = GroupVersion(apiVersion: String(parts[0]))
            #expect(ResourceRegistry.schema(for: GroupVersionKind(group: gv.group, version: gv.version, kind: String(parts[1]))) != nil, "\(gvk)")
        }
    }

    @Test func discoveryFacts() throws {
        let byPlural = Dictionary(ResourceRegistry.all.map { ($0.qualifiedPlural, $0) }, uniquingKeysWith: { a, _ in a })
        let shortNames: [String: [String]] = [
            "pods": ["po"], "services": ["svc"], "deployments.apps": ["deploy"], "replicasets.apps": ["rs"],
            "statefulsets.apps": ["sts"], "daemonsets.apps": ["ds"], "configmaps": ["cm"], "namespaces": ["ns"], "nodes": ["no"],
            "events": ["ev"], "serviceaccounts": ["sa"], "persistentvolumes": ["pv"], "persistentvolumeclaims": ["pvc"],
            "replicationcontrollers": ["rc"], "endpoints": ["ep"], "cronjobs.batch": ["cj"], "poddisruptionbudgets.policy": ["pdb"],
            "priorityclasses.scheduling.k8s.io": ["pc"], "storageclasses.storage.k8s.io": ["sc"],
        ]
        for (plural, names) in shortNames { #expect(byPlural[plural]?.shortNames == names, "\(plural)") }
        let all = Set(ResourceRegistry.all.filter { $0.categories.contains("all") }.map(\.qualifiedPlural))
        #expect(all == ["pods", "services", "deployments.apps", "replicasets.apps", "statefulsets.apps", "daemonsets.apps",
                        "jobs.batch", "cronjobs.batch", "replicationcontrollers"])
        let pods = try #require(byPlural["pods"])
        #expect(pods.subresource("eviction")?.kind == GroupVersionKind(group: "policy", version: "v1", kind: "Eviction"))
        #expect(pods.subresource("binding")?.verbs == ["create"])
        for name in ["status", "log", "exec", "attach", "portforward", "proxy"] { #expect(pods.subresource(name) != nil, "\(name)") }
        let deployments = try #require(byPlural["deployments.apps"])
        #expect(deployments.subresource("scale")?.kind == GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale"))
        #expect(deployments.storageKey(namespace: "default", name: "web") == "/registry/apps/deployments/default/web")
        #expect(pods.storageKey(namespace: "ns", name: "p") == "/registry/core/pods/ns/p")
        #expect(byPlural["nodes"]?.storageKey(namespace: nil, name: "n1") == "/registry/core/nodes/n1")
        #expect(byPlural["nodes"]?.namespaced == false)
        #expect(deployments.collectionPath(namespace: "default") == "/apis/apps/v1/namespaces/default/deployments")
        #expect(ResourceRegistry.groupVersions.first == GroupVersion(group: "", version: "v1"))
    }

    /// Every merge-keyed list in the schemas has its key among the item's fields.
    @Test func mergeKeysExistInItemSchemas() {
        var checked = 0
        func walk(_ schema: Schema, _ path: String, _ seen: inout Set<String>) {
            switch schema {
            case .object(let o):
                if let name = o.name { if seen.contains(name) { return }; seen.insert(name) }
                for field in o.fields {
                    if let key = field.patchMergeKey {
                        let item = field.schema.arraySchema?.items.objectSchema
                        #expect(item?.field(named: key) != nil, "\(path).\(field.name) merge key \(key)")
                        checked += 1
                    }
                    walk(field.schema, path + "." + field.name, &seen)
                }
            case .array(let a): walk(a.items, path + "[]", &seen)
            case .map(let v): walk(v, path + "{}", &seen)
            default: break
            }
        }
        var seen = Set<String>()
        for r in ResourceRegistry.all { walk(r.schema, r.kind, &seen) }
        #expect(checked > 20)
    }
}

@Suite("OpenAPI v3")
struct OpenAPITests {
    let docs = OpenAPIDocuments.shared

    @Test func rootListsEveryGroupVersionWithAHash() throws {
        let paths = try #require(docs.root["paths"]?.objectValue)
        #expect(paths.keys.first == "api/v1")
        for gv in ResourceRegistry.groupVersions {
            let url = try #require(paths[gv.openAPIPath]?["serverRelativeURL"]?.stringValue)
            #expect(url == "/openapi/v3/\(gv.openAPIPath)?hash=\(docs.hashes[gv.openAPIPath] ?? "")")
            #expect(docs.hashes[gv.openAPIPath]?.count == 32)
        }
    }

    @Test func everyKindHasAPatchOperationWithFieldValidation() throws {
        for resource in ResourceRegistry.all {
            let bytes = try #require(docs.document(path: resource.groupVersion.openAPIPath))
            let doc = try JSONValue.parse(bytes, options: JSONParseOptions(duplicateKeys: .reject)).value
            #expect(doc["openapi"] == "3.0.0")
            let base = resource.namespaced
                ? "\(resource.groupVersion.pathPrefix)/namespaces/{namespace}/\(resource.plural)/{name}"
                : "\(resource.groupVersion.pathPrefix)/\(resource.plural)/{name}"
            let patch = try #require(doc["paths"]?[base]?["patch"], "\(base)")
            #expect(patch["x-kubernetes-group-version-kind"] == resource.gvk.json)
            let names = (patch["parameters"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue }
            #expect(names.contains("fieldValidation") && names.contains("dryRun") && names.contains("fieldManager"))
            #expect(patch["requestBody"]?["content"]?["application/strategic-merge-patch+json"] != nil)
            let post = try #require(doc["paths"]?[String(base.dropLast("/{name}".count))]?["post"])
            #expect((post["parameters"]?.arrayValue ?? []).contains { $0["name"] == "fieldValidation" })
            // The kind's component carries its GVK and every referenced component exists.
            let name = try #require(resource.schema.objectSchema?.name)
            let component = try #require(doc["components"]?["schemas"]?[name])
            #expect(component["x-kubernetes-group-version-kind"]?.arrayValue?.contains(resource.gvk.json) == true)
            try checkRefs(doc)
        }
    }

    func checkRefs(_ doc: JSONValue) throws {
        let components = try #require(doc["components"]?["schemas"]?.objectValue)
        func walk(_ v: JSONValue) {
            switch v {
            case .object(let o):
                if let ref = o["$ref"]?.stringValue {
                    let name = String(ref.dropFirst("#/components/schemas/".count))
                    #expect(components[name] != nil, "dangling \(ref)")
                }
                for (_, member) in o { walk(member) }
            case .array(let a): a.forEach(walk)
            default: break
            }
        }
        walk(doc)
    }

    /// What `kubectl explain pod.spec.containers` walks: Pod → spec → PodSpec → containers → Container.
    @Test func explainPathResolvesWithDescriptionsAndPatchExtensions() throws {
        let doc = try JSONValue.parse(try #require(docs.document(path: "api/v1"))).value
        let schemas = try #require(doc["components"]?["schemas"])
        func resolve(_ property: JSONValue?) -> JSONValue? {
            guard let property else { return nil }
            let ref = property["$ref"]?.stringValue ?? property["allOf"]?[0]?["$ref"]?.stringValue
                ?? property["items"]?["allOf"]?[0]?["$ref"]?.stringValue
            guard let ref else { return property }
            return schemas[String(ref.dropFirst("#/components/schemas/".count))]
        }
        let pod = try #require(schemas["io.k8s.api.core.v1.Pod"])
        let specProperty = try #require(pod["properties"]?["spec"])
        #expect(specProperty["description"] == "Desired behaviour of the pod.")
        let podSpec = try #require(resolve(specProperty))
        let containers = try #require(podSpec["properties"]?["containers"])
        #expect(containers["type"] == "array")
        #expect(containers["x-kubernetes-patch-merge-key"] == "name")
        #expect(containers["x-kubernetes-patch-strategy"] == "merge")
        #expect(containers["x-kubernetes-list-type"] == "map")
        #expect(containers["x-kubernetes-list-map-keys"] == ["name"])
        let container = try #require(resolve(containers))
        #expect(container["description"] == "A single application container to run within a pod.")
        #expect(container["required"] == ["name"])
        #expect(container["properties"]?["image"]?["type"] == "string")
        #expect(podSpec["properties"]?["volumes"]?["x-kubernetes-patch-strategy"] == "merge,retainKeys")
        #expect(schemas["io.k8s.api.core.v1.PodList"]?["properties"]?["items"]?["type"] == "array")
        #expect(doc["paths"]?["/api/v1/namespaces/{namespace}/pods/{name}/eviction"]?["post"]?["x-kubernetes-group-version-kind"]?["kind"] == "Eviction")
        #expect(doc["paths"]?["/api/v1/namespaces/{namespace}/pods/{name}/log"]?["get"] != nil)
    }

    @Test func scaleSubresourceIsDescribed() throws {
        let doc = try JSONValue.parse(try #require(docs.document(path: "apis/apps/v1"))).value
        let scale = try #require(doc["paths"]?["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]?["patch"])
        #expect(scale["x-kubernetes-group-version-kind"] == ["group": "autoscaling", "version": "v1", "kind": "Scale"])
        #expect(scale["operationId"] == "patchAppsV1NamespacedDeploymentScale")
        #expect(doc["components"]?["schemas"]?["io.k8s.api.autoscaling.v1.Scale"] != nil)
    }

    static let validatorAvailable: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import openapi_spec_validator"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do {
            try p.run()
            p.waitUntilExit()
            return p.terminationStatus == 0
        } catch {
            return false
        }
    }()

    @Test(.enabled(if: validatorAvailable, "python3 module openapi_spec_validator is not installed"))
    func documentsPassOpenAPISpecValidator() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("apimodel-openapi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var files: [String] = []
        for (path, bytes) in docs.documents.sorted(by: { $0.key < $1.key }) {
            let file = dir.appendingPathComponent(path.replacingOccurrences(of: "/", with: "_") + ".json")
            try Data(bytes).write(to: file)
            files.append(file.path)
        }
        let script = """
            import json, sys
            from openapi_spec_validator import validate
            for f in sys.argv[1:]:
                with open(f) as fh:
                    validate(json.load(fh))
            print("ok")
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script] + files
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let output = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(output)")
    }
}
