#if canImport(Glibc)
import Glibc
#endif
import APIModel
import ClusterClient
import Foundation
import LinuxSystem
import Logging

/// Dynamic provisioning of node-local volumes: a StorageClass `local-path` (the default),
/// and for each claim of that class (or of no class) used by a pod on this node a
/// PersistentVolume that is a directory `<data>/storage/<claim UID>`, pinned to this node and
/// bound to the claim as the PV controller would bind it. With reclaim policy Delete the
/// directory and the PV go when the claim is deleted.
public final class LocalPathProvisioner: Sendable {
    public static let storageClassName = "local-path"
    public static let provisionerName = "skiff.io/local-path"
    static let provisionedByAnnotation = "pv.kubernetes.io/provisioned-by"
    static let nodeAnnotation = "skiff.io/local-path-node"

    let configuration: KubeletConfiguration
    let client: ClusterClient
    let logger: Logger
    let sweepInterval: Duration

    public init(configuration: KubeletConfiguration, client: ClusterClient,
                logger: Logger = Logger(label: "skiff.local-path")) {
        self.configuration = configuration
        self.client = client
        self.logger = logger
        self.sweepInterval = .seconds(10)
    }

    init(configuration: KubeletConfiguration, client: ClusterClient, logger: Logger, sweepInterval: Duration) {
        self.configuration = configuration
        self.client = client
        self.logger = logger
        self.sweepInterval = sweepInterval
    }

    var storageDirectory: String { configuration.dataDirectory + "/storage" }

    /// Makes sure the StorageClass exists, then reclaims the volumes of deleted claims (on
    /// every claim deletion seen by a watch, and periodically) until cancelled.
    public func run() async {
        while !Task.isCancelled {
            do {
                try await ensureStorageClass()
                break
            } catch {
                logger.warning("cannot create StorageClass \(Self.storageClassName): \(error)")
                try? await Task.sleep(for: .seconds(2))
            }
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.watchClaims() }
            group.addTask {
                while !Task.isCancelled {
                    await self.reclaimReleasedVolumes()
                    try? await Task.sleep(for: self.sweepInterval)
                }
            }
        }
    }

    public func ensureStorageClass() async throws {
        let storageClass: JSONValue = [
            "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": [
                "name": .string(Self.storageClassName),
                "annotations": ["storageclass.kubernetes.io/is-default-class": "true"],
            ],
            "provisioner": .string(Self.provisionerName),
            "reclaimPolicy": "Delete",
            "volumeBindingMode": "WaitForFirstConsumer",
        ]
        do {
            _ = try await client.create(.storageClasses, storageClass)
            logger.info("created StorageClass \(Self.storageClassName)")
        } catch let error as ClientError where error.isAlreadyExists {}
    }

    private func watchClaims() async {
        while !Task.isCancelled {
            do {
                let list = try await client.list(.persistentVolumeClaims)
                for try await event in client.watch(.persistentVolumeClaims, options: ListOptions(resourceVersion: list.resourceVersion)) {
                    if event.type == .deleted { await reclaimReleasedVolumes() }
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("claim watch ended: \(error)")
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    // MARK: Provisioning (called by NodeVolumes when a pod on this node uses a claim)

    /// The node directory of the claim's volume, provisioning and binding one when the
    /// claim is pending and of the local-path class (or of none).
    func volumePath(claimNamespace namespace: String, claimName name: String, volume: String) async throws -> String {
        var claim: JSONValue
        do {
            claim = try await client.get(.persistentVolumeClaims, namespace: namespace, name: name)
        } catch let error as ClientError where error.isNotFound {
            throw VolumeError.missing(volume: volume, what: "PersistentVolumeClaim \(namespace)/\(name)")
        }
        if claim.isBeingDeleted {
            throw VolumeError.claimNotBound(volume: volume, claim: "\(namespace)/\(name)", reason: "it is being deleted")
        }
        if let volumeName = claim["spec"]?["volumeName"]?.stringValue, !volumeName.isEmpty {
            let persistentVolume = try await client.get(.persistentVolumes, name: volumeName)
            if claim["status"]?["phase"]?.stringValue != "Bound" {
                // A binding cut short between the PV and the claim's status: finish it.
                try await markBound(claim: claim, volume: persistentVolume)
            }
            guard let path = persistentVolume["spec"]?["hostPath"]?["path"]?.stringValue
                    ?? persistentVolume["spec"]?["local"]?["path"]?.stringValue else {
                throw VolumeError.unsupported(volume: volume, kind: "PersistentVolume \(volumeName) without hostPath or local")
            }
            return path
        }
        let className = claim["spec"]?["storageClassName"]?.stringValue
        guard className == nil || className == Self.storageClassName else {
            throw VolumeError.claimNotBound(volume: volume, claim: "\(namespace)/\(name)",
                                            reason: "its StorageClass \"\(className ?? "")\" is not provisioned on this node")
        }
        return try await provision(claim: claim, volume: volume)
    }

    private func provision(claim: JSONValue, volume: String) async throws -> String {
        let path = storageDirectory + "/" + claim.uid
        try Files.makeDirectories(path)
        // Any user of the pod may write into its volume, as with local-path elsewhere.
        chmod(path, 0o777)
        let volumeName = "pvc-" + claim.uid
        let spec = claim["spec"] ?? .emptyObject
        let accessModes = spec["accessModes"]?.arrayValue.flatMap { $0.isEmpty ? nil : JSONValue.array($0) } ?? ["ReadWriteOnce"]
        let storage = spec["resources"]?["requests"]?["storage"] ?? "1Gi"
        let persistentVolume: JSONValue = [
            "apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": [
                "name": .string(volumeName),
                "annotations": [
                    Self.provisionedByAnnotation: .string(Self.provisionerName),
                    Self.nodeAnnotation: .string(configuration.nodeName),
                ],
            ],
            "spec": [
                "capacity": ["storage": storage],
                "accessModes": accessModes,
                "persistentVolumeReclaimPolicy": "Delete",
                "storageClassName": .string(Self.storageClassName),
                "volumeMode": "Filesystem",
                "hostPath": ["path": .string(path), "type": "DirectoryOrCreate"],
                "nodeAffinity": ["required": ["nodeSelectorTerms": [[
                    "matchExpressions": [["key": "kubernetes.io/hostname", "operator": "In",
                                          "values": [.string(configuration.nodeName)]]],
                ]]]],
                "claimRef": [
                    "apiVersion": "v1", "kind": "PersistentVolumeClaim",
                    "namespace": .string(claim.namespace ?? ""), "name": .string(claim.name),
                    "uid": .string(claim.uid), "resourceVersion": .string(claim.resourceVersion),
                ],
            ],
        ]
        var created: JSONValue
        do {
            created = try await client.create(.persistentVolumes, persistentVolume)
            logger.info("provisioned \(volumeName) for claim \(claim.key) at \(path)")
        } catch let error as ClientError where error.isAlreadyExists {
            created = try await client.get(.persistentVolumes, name: volumeName)
        }
        try await markBound(claim: claim, volume: created)
        return path
    }

    /// PV status Bound, claim's volumeName and bind annotations, claim status Bound — the
    /// PV controller's binding, retried on conflicts.
    private func markBound(claim: JSONValue, volume persistentVolume: JSONValue) async throws {
        var volume = persistentVolume
        if volume["status"]?["phase"]?.stringValue != "Bound" {
            volume["status"] = ["phase": "Bound"]
            _ = try await retryingConflicts(.persistentVolumes, volume, subresource: "status") { $0["status"] = ["phase": "Bound"] }
        }
        var current = claim
        let annotate: (inout JSONValue) -> Void = { [configuration] object in
            object.modify("metadata") { metadata in
                var annotations = metadata?["annotations"] ?? .emptyObject
                annotations["pv.kubernetes.io/bind-completed"] = "yes"
                annotations["pv.kubernetes.io/bound-by-controller"] = "yes"
                annotations["volume.kubernetes.io/storage-provisioner"] = .string(Self.provisionerName)
                annotations["volume.kubernetes.io/selected-node"] = .string(configuration.nodeName)
                metadata?["annotations"] = annotations
            }
            object.modify("spec") { $0?["volumeName"] = .string(persistentVolume.name) }
        }
        annotate(&current)
        current = try await retryingConflicts(.persistentVolumeClaims, current, annotate)
        let status: JSONValue = [
            "phase": "Bound",
            "accessModes": persistentVolume["spec"]?["accessModes"] ?? ["ReadWriteOnce"],
            "capacity": persistentVolume["spec"]?["capacity"] ?? .emptyObject,
        ]
        current["status"] = status
        _ = try await retryingConflicts(.persistentVolumeClaims, current, subresource: "status") { $0["status"] = status }
    }

    private func retryingConflicts(_ resource: ResourceRef, _ object: JSONValue, subresource: String? = nil,
                                   _ change: (inout JSONValue) -> Void) async throws -> JSONValue {
        var object = object
        for attempt in 0..<5 {
            do {
                return try await client.update(resource, object, subresource: subresource)
            } catch let error as ClientError where error.isConflict && attempt < 4 {
                object = try await client.get(resource, namespace: object.namespace, name: object.name)
                change(&object)
            }
        }
        return object
    }

    // MARK: Reclaiming

    /// Deletes the directory and the PV of every volume this node provisioned whose claim
    /// is gone (reclaim policy Delete); Retain leaves them (phase Released).
    func reclaimReleasedVolumes() async {
        guard let volumes = try? await client.list(.persistentVolumes).items else { return }
        for volume in volumes where volume.annotations[Self.provisionedByAnnotation] == Self.provisionerName
            && volume.annotations[Self.nodeAnnotation] == configuration.nodeName {
            guard let claimRef = volume["spec"]?["claimRef"], let claimUID = claimRef["uid"]?.stringValue else { continue }
            let namespace = claimRef["namespace"]?.stringValue ?? ""
            let name = claimRef["name"]?.stringValue ?? ""
            do {
                let claim = try await client.get(.persistentVolumeClaims, namespace: namespace, name: name)
                if claim.uid == claimUID { continue }
            } catch let error as ClientError where error.isNotFound {
            } catch {
                continue
            }
            guard volume["spec"]?["persistentVolumeReclaimPolicy"]?.stringValue == "Delete" else { continue }
            let path = volume["spec"]?["hostPath"]?["path"]?.stringValue ?? ""
            // Only directories this provisioner made: never a path outside its storage directory.
            if path.hasPrefix(storageDirectory + "/") && !path.dropFirst(storageDirectory.count + 1).contains("/") {
                do {
                    try Files.removeTree(path)
                } catch {
                    logger.warning("cannot remove \(path) of \(volume.name): \(error)")
                    continue
                }
            }
            do {
                try await client.delete(.persistentVolumes, name: volume.name)
                logger.info("deleted \(volume.name): its claim \(namespace)/\(name) is gone")
            } catch let error as ClientError where error.isNotFound {
            } catch {
                logger.warning("cannot delete \(volume.name): \(error)")
            }
        }
    }
}
