#if canImport(Glibc)
import Glibc
#endif
import APIModel
import ClusterClient
import ClusterTestSupport
import CLinuxSystem
import Foundation
import LinuxSystem
import Logging
import Testing
@testable import NodeAgent

/// Volumes prepared against a real apiserver: files, modes, updates, tmpfs, local-path PVCs.
@Suite(.serialized, .enabled(if: runningAsRoot, "\(rootRequired)"))
struct VolumeTests {
    static let tmpfsMagic: Int64 = 0x0102_1994

    func withVolumes(_ body: @escaping @Sendable (TestCluster, NodeVolumes, KubeletConfiguration) async throws -> Void) async throws {
        try await withTestCluster { cluster in
            let node = SandboxTestNode.make()
            let volumes = NodeVolumes(configuration: node.configuration, client: cluster.client,
                                      logger: Logger(label: "test.volumes"), refreshInterval: .milliseconds(200))
            do {
                try await body(cluster, volumes, node.configuration)
            } catch {
                for uid in await volumes.podsWithVolumes() { try? await volumes.tearDown(podUID: uid) }
                try? FileManager.default.removeItem(atPath: node.configuration.dataDirectory)
                throw error
            }
            for uid in await volumes.podsWithVolumes() { try await volumes.tearDown(podUID: uid) }
            try? FileManager.default.removeItem(atPath: node.configuration.dataDirectory)
        }
    }

    func pod(_ name: String, volumes: [JSONValue], labels: JSONValue = ["app": "web"]) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": .string(name), "namespace": "default", "uid": .string(UUID().uuidString.lowercased()),
                         "labels": labels, "annotations": ["note": "say \"hi\""]],
            "spec": [
                "nodeName": "node-a",
                "containers": [["name": "main", "image": "busybox",
                                "resources": ["limits": ["cpu": "500m", "memory": "64Mi"]]]],
                "volumes": .array(volumes),
            ],
        ]
    }

    func read(_ path: String) -> String? { try? String(contentsOfFile: path, encoding: .utf8) }

    func mode(_ path: String) -> Int {
        var info = stat()
        stat(path, &info)
        return Int(info.st_mode & 0o7777)
    }

    @Test func configMapSecretDownwardAPIAndEmptyDirFiles() async throws {
        try await withVolumes { cluster, volumes, configuration in
            _ = try await cluster.client.create(.configMaps, namespace: "default", [
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "settings"],
                "data": ["color": "blue", "size": "large"],
            ])
            _ = try await cluster.client.create(.secrets, namespace: "default", [
                "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "creds"],
                "data": ["password": .string(Data("s3cret".utf8).base64EncodedString())],
            ])
            let hostDirectory = configuration.dataDirectory + "/host/made"
            let spec = pod("web", volumes: [
                ["name": "all", "configMap": ["name": "settings"]],
                ["name": "picked", "configMap": ["name": "settings", "items": [["key": "color", "path": "conf/color.txt", "mode": 0o600]]]],
                ["name": "secret", "secret": ["secretName": "creds", "defaultMode": 0o400]],
                ["name": "info", "downwardAPI": ["items": [
                    ["path": "labels", "fieldRef": ["fieldPath": "metadata.labels"]],
                    ["path": "annotations", "fieldRef": ["fieldPath": "metadata.annotations"]],
                    ["path": "name", "fieldRef": ["fieldPath": "metadata.name"]],
                    ["path": "cpu", "resourceFieldRef": ["containerName": "main", "resource": "limits.cpu", "divisor": "1m"]],
                    ["path": "memory", "resourceFieldRef": ["containerName": "main", "resource": "limits.memory", "divisor": "1Mi"]],
                ]]],
                ["name": "scratch", "emptyDir": ["medium": "Memory", "sizeLimit": "16Mi"]],
                ["name": "disk", "emptyDir": .emptyObject],
                ["name": "host", "hostPath": ["path": .string(hostDirectory), "type": "DirectoryOrCreate"]],
                ["name": "bundle", "projected": ["sources": [
                    ["configMap": ["name": "settings", "items": [["key": "size", "path": "size"]]]],
                    ["downwardAPI": ["items": [["path": "namespace", "fieldRef": ["fieldPath": "metadata.namespace"]]]]],
                    ["serviceAccountToken": ["path": "token"]],
                ]]],
            ])
            let mounted = try await volumes.setUp(pod: spec)
            let all = try #require(mounted["all"]?.hostPath)
            #expect(read(all + "/color") == "blue" && read(all + "/size") == "large")
            #expect(Files.readLink(all + "/color") == "..data/color")
            #expect(Files.readLink(all + "/..data")?.hasPrefix("..") == true)
            #expect(mounted["all"]?.readOnly == true)
            let picked = try #require(mounted["picked"]?.hostPath)
            #expect(read(picked + "/conf/color.txt") == "blue")
            #expect(!FileManager.default.fileExists(atPath: picked + "/size"))
            #expect(mode(picked + "/conf/color.txt") == 0o600)
            let secret = try #require(mounted["secret"]?.hostPath)
            #expect(read(secret + "/password") == "s3cret")
            #expect(mode(secret + "/password") == 0o400)
            #expect(csys_statfs_type(secret) == Self.tmpfsMagic, "secrets live on a tmpfs")
            let info = try #require(mounted["info"]?.hostPath)
            #expect(read(info + "/labels") == "app=\"web\"\n")
            #expect(read(info + "/annotations") == "note=\"say \\\"hi\\\"\"\n")
            #expect(read(info + "/name") == "web")
            #expect(read(info + "/cpu") == "500")
            #expect(read(info + "/memory") == "64")
            let scratch = try #require(mounted["scratch"]?.hostPath)
            #expect(csys_statfs_type(scratch) == Self.tmpfsMagic, "emptyDir medium Memory is a tmpfs")
            #expect(mounted["scratch"]?.readOnly == false)
            #expect(mountTable().contains(scratch) && mountTable().contains("size=16384k"))
            #expect(Files.isDirectory(try #require(mounted["disk"]?.hostPath)))
            #expect(mounted["host"]?.hostPath == hostDirectory && Files.isDirectory(hostDirectory))
            let bundle = try #require(mounted["bundle"]?.hostPath)
            #expect(read(bundle + "/size") == "large" && read(bundle + "/namespace") == "default")

            // Set-up again is idempotent; the secret tmpfs is mounted once.
            _ = try await volumes.setUp(pod: spec)
            #expect(mountTable().components(separatedBy: secret + " ").count == 2)

            // A changed ConfigMap and Secret reach the files through the refresh loop.
            var settings = try await cluster.client.get(.configMaps, namespace: "default", name: "settings")
            settings["data"] = ["color": "green"]
            _ = try await cluster.client.update(.configMaps, settings)
            var creds = try await cluster.client.get(.secrets, namespace: "default", name: "creds")
            creds["data"] = ["password": .string(Data("rotated".utf8).base64EncodedString())]
            _ = try await cluster.client.update(.secrets, creds)
            let refresher = Task { await volumes.run() }
            defer { refresher.cancel() }
            try await pollUntil("the ConfigMap update reaches the volume") {
                read(all + "/color") == "green" && read(secret + "/password") == "rotated"
            }
            #expect(!FileManager.default.fileExists(atPath: all + "/size"), "a removed key's file disappears")
            #expect(read(picked + "/conf/color.txt") == "green")
            #expect(Files.list(all).filter { $0.hasPrefix("..2") }.count == 1, "the old data directory is removed")

            // tearDown unmounts every tmpfs and removes the pod's volume directories.
            try await volumes.tearDown(podUID: spec.uid)
            #expect(!mountTable().contains(configuration.dataDirectory))
            #expect(!FileManager.default.fileExists(atPath: volumes.podDirectory(spec.uid)))
            #expect(Files.isDirectory(hostDirectory), "hostPath data is not touched")
            #expect(await volumes.podsWithVolumes().isEmpty)
        }
    }

    @Test func fsGroupOwnsTheFilesAndMayReadThem() async throws {
        try await withVolumes { cluster, volumes, _ in
            _ = try await cluster.client.create(.secrets, namespace: "default", [
                "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "key"],
                "data": ["id": .string(Data("k".utf8).base64EncodedString())],
            ])
            var spec = pod("grouped", volumes: [["name": "s", "secret": ["secretName": "key", "defaultMode": 0o400]],
                                                ["name": "scratch", "emptyDir": .emptyObject]])
            spec["spec"]?["securityContext"] = ["fsGroup": 2345]
            let mounted = try await volumes.setUp(pod: spec)
            let file = try #require(mounted["s"]?.hostPath) + "/id"
            var info = stat()
            stat(file, &info)
            #expect(info.st_gid == 2345 && Int(info.st_mode & 0o777) == 0o440)
            stat(try #require(mounted["scratch"]?.hostPath), &info)
            #expect(info.st_gid == 2345 && Int(info.st_mode & 0o7777) == 0o2777)
        }
    }

    @Test func aRestartedVolumeManagerKeepsRefreshing() async throws {
        try await withVolumes { cluster, volumes, configuration in
            _ = try await cluster.client.create(.configMaps, namespace: "default", [
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "flags"], "data": ["mode": "a"],
            ])
            let spec = pod("flagged", volumes: [["name": "flags", "configMap": ["name": "flags"]]])
            let path = try #require(try await volumes.setUp(pod: spec)["flags"]?.hostPath)
            // A new manager over the same directory (an agent restart) knows the pod…
            let restarted = NodeVolumes(configuration: configuration, client: cluster.client,
                                        logger: Logger(label: "test.restarted"), refreshInterval: .milliseconds(200))
            #expect(await restarted.podsWithVolumes() == [spec.uid])
            var flags = try await cluster.client.get(.configMaps, namespace: "default", name: "flags")
            flags["data"] = ["mode": "b"]
            _ = try await cluster.client.update(.configMaps, flags)
            // …and refreshes its volumes without being told about it again.
            await restarted.refreshAll()
            #expect(read(path + "/mode") == "b")
        }
    }

    @Test func missingObjectsFailUnlessOptional() async throws {
        try await withVolumes { _, volumes, configuration in
            let optional = pod("opt", volumes: [["name": "maybe", "configMap": ["name": "absent", "optional": true]]])
            let mounted = try await volumes.setUp(pod: optional)
            #expect(Files.list(try #require(mounted["maybe"]?.hostPath)).filter { !$0.hasPrefix("..") }.isEmpty)
            let required = pod("req", volumes: [["name": "needed", "secret": ["secretName": "absent"]]])
            await #expect(throws: VolumeError.self) { try await volumes.setUp(pod: required) }
            let badType = pod("bad", volumes: [["name": "h", "hostPath": ["path": .string(configuration.dataDirectory + "/nope"), "type": "Directory"]]])
            await #expect(throws: VolumeError.self) { try await volumes.setUp(pod: badType) }
            let escape = pod("esc", volumes: [["name": "e", "downwardAPI": ["items": [["path": "../x", "fieldRef": ["fieldPath": "metadata.name"]]]]]])
            await #expect(throws: VolumeError.self) { try await volumes.setUp(pod: escape) }
        }
    }

    @Test func claimIsProvisionedBoundAndSurvivesThePod() async throws {
        try await withVolumes { cluster, volumes, configuration in
            let provisioner = LocalPathProvisioner(configuration: configuration, client: cluster.client,
                                                   logger: Logger(label: "test.local-path"), sweepInterval: .milliseconds(300))
            let running = Task { await provisioner.run() }
            defer { running.cancel() }
            try await pollUntil("the StorageClass exists") {
                (try? await cluster.client.get(.storageClasses, name: "local-path")) != nil
            }
            let storageClass = try await cluster.client.get(.storageClasses, name: "local-path")
            #expect(storageClass.annotations["storageclass.kubernetes.io/is-default-class"] == "true")
            #expect(storageClass["volumeBindingMode"]?.stringValue == "WaitForFirstConsumer")

            let claim = try await cluster.client.create(.persistentVolumeClaims, namespace: "default", [
                "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": ["name": "data"],
                "spec": ["accessModes": ["ReadWriteOnce"], "resources": ["requests": ["storage": "1Gi"]]],
            ])
            let spec = pod("db", volumes: [["name": "data", "persistentVolumeClaim": ["claimName": "data"]]])
            let mounted = try await volumes.setUp(pod: spec)
            let path = try #require(mounted["data"]?.hostPath)
            #expect(path == configuration.dataDirectory + "/storage/" + claim.uid)

            let bound = try await cluster.client.get(.persistentVolumeClaims, namespace: "default", name: "data")
            #expect(bound["status"]?["phase"]?.stringValue == "Bound")
            let volumeName = try #require(bound["spec"]?["volumeName"]?.stringValue)
            let volume = try await cluster.client.get(.persistentVolumes, name: volumeName)
            #expect(volume["spec"]?["claimRef"]?["uid"]?.stringValue == claim.uid)
            #expect(volume["status"]?["phase"]?.stringValue == "Bound")
            #expect(volume["spec"]?["hostPath"]?["path"]?.stringValue == path)
            #expect(volume["spec"]?["nodeAffinity"]?["required"]?["nodeSelectorTerms"]?[0]?["matchExpressions"]?[0]?["values"]?[0]?
                .stringValue == configuration.nodeName)

            // Data outlives the pod, and a new pod of the same claim finds it.
            try Data("kept".utf8).write(to: URL(fileURLWithPath: path + "/file"))
            try await volumes.tearDown(podUID: spec.uid)
            #expect(read(path + "/file") == "kept")
            let again = try await volumes.setUp(pod: pod("db2", volumes: [["name": "data", "persistentVolumeClaim": ["claimName": "data"]]]))
            #expect(again["data"]?.hostPath == path)

            // Deleting the claim reclaims the volume (policy Delete): directory and PV go.
            for uid in await volumes.podsWithVolumes() { try await volumes.tearDown(podUID: uid) }
            _ = try await cluster.client.delete(.persistentVolumeClaims, namespace: "default", name: "data")
            try await pollUntil("the volume is reclaimed") {
                let volumeGone = (try? await cluster.client.get(.persistentVolumes, name: volumeName)) == nil
                return volumeGone && !FileManager.default.fileExists(atPath: path)
            }
        }
    }
}

/// Polls `condition` every 100 ms for up to 20 s.
func pollUntil(_ what: String, _ condition: () async throws -> Bool) async throws {
    for _ in 0..<200 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    Issue.record("timed out waiting until \(what)")
    throw CancellationError()
}
