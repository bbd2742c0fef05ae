import Foundation
import Testing

/// Discovery and schema commands: `api-resources`, `api-versions`, `explain`, `version`.
@Suite(.serialized, .enabled(if: KubectlVersion.everythingPresent, KubectlVersion.skipReason))
struct KubectlDiscoveryTests {
    @Test("api-resources lists the served kinds with short names, groups and scope", arguments: KubectlVersion.all)
    func apiResources(_ version: KubectlVersion) async throws {
        try await withKubectl(version) { kubectl in
            let result = try await kubectl.require(["api-resources"])
            let rows = result.stdout.split(separator: "\n").map {
                $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            }
            #expect(rows.first?.prefix(2) == ["NAME", "SHORTNAMES"], "\(version): \(result)")
            let expected: [[String]] = [
                ["pods", "po", "v1", "true", "Pod"],
                ["namespaces", "ns", "v1", "false", "Namespace"],
                ["configmaps", "cm", "v1", "true", "ConfigMap"],
                ["services", "svc", "v1", "true", "Service"],
                ["nodes", "no", "v1", "false", "Node"],
                ["deployments", "deploy", "apps/v1", "true", "Deployment"],
                ["replicasets", "rs", "apps/v1", "true", "ReplicaSet"],
                ["statefulsets", "sts", "apps/v1", "true", "StatefulSet"],
                ["daemonsets", "ds", "apps/v1", "true", "DaemonSet"],
                ["jobs", "batch/v1", "true", "Job"],
                ["cronjobs", "cj", "batch/v1", "true", "CronJob"],
                ["leases", "coordination.k8s.io/v1", "true", "Lease"],
                ["endpointslices", "discovery.k8s.io/v1", "true", "EndpointSlice"],
                ["poddisruptionbudgets", "pdb", "policy/v1", "true", "PodDisruptionBudget"],
                ["priorityclasses", "pc", "scheduling.k8s.io/v1", "false", "PriorityClass"],
                ["storageclasses", "sc", "storage.k8s.io/v1", "false", "StorageClass"],
            ]
            for row in expected {
                #expect(rows.contains(row), "\(version): api-resources lacks \(row.joined(separator: " ")):\n\(result.stdout)")
            }
            let apps = try await kubectl.succeed(["api-resources", "--api-group=apps", "-o", "name"])
            #expect(Set(apps.stdout.split(separator: "\n").map(String.init))
                    == ["controllerrevisions.apps", "daemonsets.apps", "deployments.apps", "replicasets.apps", "statefulsets.apps"]
                    || apps.stdout.contains("deployments.apps"), "\(version): \(apps)")
            let namespaced = try await kubectl.succeed(["api-resources", "--namespaced=false", "-o", "name"])
            #expect(namespaced.stdout.contains("namespaces") && !namespaced.stdout.contains("configmaps"), "\(version): \(namespaced)")
            let wide = try await kubectl.succeed(["api-resources", "-o", "wide"])
            #expect(wide.stdout.contains("VERBS") && wide.stdout.contains("create,delete,deletecollection,get,list,patch,update,watch")
                    || wide.stdout.contains("[create delete deletecollection get list patch update watch]"), "\(version): \(wide)")

            let versions = try await kubectl.succeed(["api-versions"])
            for groupVersion in ["v1", "apps/v1", "batch/v1", "coordination.k8s.io/v1", "policy/v1"] {
                #expect(versions.stdout.split(separator: "\n").contains(Substring(groupVersion)), "\(version): \(versions)")
            }
            let serverVersion = try await kubectl.succeed(["version", "-o", "json"])
            let parsed = JSON(parsing: serverVersion.stdout)
            #expect(parsed?["serverVersion", "major"]?.string == "1", "\(version): \(serverVersion)")
        }
    }

    @Test("explain shows fields and types from the OpenAPI v3 schemas", arguments: KubectlVersion.all)
    func explain(_ version: KubectlVersion) async throws {
        try await withKubectl(version) { kubectl in
            let deployment = try await kubectl.succeed(["explain", "deployment"])
            #expect(deployment.stdout.contains("Deployment") && deployment.stdout.contains("apps")
                    && deployment.stdout.contains("FIELDS") && deployment.stdout.contains("spec"), "\(version): \(deployment)")
            let replicas = try await kubectl.succeed(["explain", "deployment.spec.replicas"])
            #expect(replicas.stdout.contains("replicas") && replicas.stdout.contains("<integer>"), "\(version): \(replicas)")
            let containers = try await kubectl.succeed(["explain", "pods.spec.containers"])
            #expect(containers.stdout.contains("<[]Container>") || containers.stdout.contains("<[]Object>"), "\(version): \(containers)")
            #expect(containers.stdout.contains("image") && containers.stdout.contains("env"), "\(version): \(containers)")
            let recursive = try await kubectl.succeed(["explain", "configmap", "--recursive"])
            #expect(recursive.stdout.contains("data") && recursive.stdout.contains("binaryData"), "\(version): \(recursive)")
            try await kubectl.fail(["explain", "deployment.spec.nosuchfield"], mentioning: ["nosuchfield"])
        }
    }
}
