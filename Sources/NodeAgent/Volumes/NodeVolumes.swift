#if canImport(Glibc)
import Glibc
#endif
import APIModel
import ClusterClient
import Foundation
import LinuxSystem
import Logging
import Synchronization

/// A pod's volumes on this node, under `<data>/volumes/<pod UID>/`: emptyDir (a directory,
/// or a tmpfs for medium Memory), configMap, secret (on a tmpfs), downwardAPI and projected
/// (written atomically through `..data`), hostPath (checked by type) and
/// persistentVolumeClaim (a local-path volume, provisioned on first use). `run()` keeps the
/// contents of configMap, secret, downwardAPI and projected volumes current.
public final class NodeVolumes: VolumeManaging {
    public let configuration: KubeletConfiguration
    let client: ClusterClient
    let logger: Logger
    let provisioner: LocalPathProvisioner
    let refreshInterval: Duration
    private let locks = KeyedLock()
    /// The pods whose volumes `run()` refreshes: loaded from disk on first use, so a
    /// restarted agent keeps refreshing the volumes of running pods.
    private let pods = Mutex<[String: JSONValue]?>(nil)
    /// Whether `run()` is running; until it is, the first `setUp` starts the refresh loop
    /// itself (cancelled when this object goes), so volumes stay current either way.
    private let background = Mutex<(runCalled: Bool, task: Task<Void, Never>?)>((false, nil))

    public convenience init(configuration: KubeletConfiguration, client: ClusterClient, logger: Logger) {
        self.init(configuration: configuration, client: client, logger: logger, refreshInterval: .seconds(5))
    }

    init(configuration: KubeletConfiguration, client: ClusterClient, logger: Logger, refreshInterval: Duration) {
        self.configuration = configuration
        self.client = client
        self.logger = logger
        self.refreshInterval = refreshInterval
        self.provisioner = LocalPathProvisioner(configuration: configuration, client: client, logger: logger)
    }

    var rootDirectory: String { configuration.dataDirectory + "/volumes" }
    func podDirectory(_ uid: String) -> String { rootDirectory + "/" + uid }
    func volumeDirectory(_ uid: String, _ name: String) -> String { podDirectory(uid) + "/volumes/" + name }
    func podRecord(_ uid: String) -> String { podDirectory(uid) + "/pod.json" }

    deinit {
        background.withLock { $0.task?.cancel() }
    }

    public func setUp(pod: JSONValue) async throws -> [String: MountedVolume] {
        startRefreshingUnlessRunning()
        let uid = pod.uid
        try CNIPodSandboxes.validate(podUID: uid)
        return try await locks.withLock(uid) {
            try Files.makeDirectories(podDirectory(uid) + "/volumes")
            try Files.writeAtomically(podRecord(uid), pod.encoded(), mode: 0o600)
            let mounted = try await prepareAll(pod: pod)
            remember(pod)
            return mounted
        }
    }

    public func tearDown(podUID: String) async throws {
        try CNIPodSandboxes.validate(podUID: podUID)
        try await locks.withLock(podUID) {
            forget(podUID)
            let volumes = podDirectory(podUID) + "/volumes"
            for name in Files.list(volumes) { try TmpfsMount.unmount(volumes + "/" + name) }
            try Files.removeTree(podDirectory(podUID))
        }
    }

    public func podsWithVolumes() async -> [String] {
        Files.list(rootDirectory).filter { Files.isDirectory(podDirectory($0)) }.sorted()
    }

    /// Re-writes the configMap, secret, downwardAPI and projected volumes of every pod with
    /// volumes every few seconds, so changed objects reach running containers, and runs the
    /// local-path provisioner (its StorageClass, reclaiming volumes of deleted claims).
    /// Runs until cancelled.
    public func run() async {
        let started = background.withLock { state in
            state.runCalled = true
            defer { state.task = nil }
            return state.task
        }
        started?.cancel()
        let provisioner = self.provisioner
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await provisioner.run() }
            group.addTask { await self.refreshLoop() }
        }
    }

    /// Removes every pod's volumes under `<data>/volumes` (unmounting each tmpfs); persistent
    /// volume data stays. For `skiff down`.
    public static func cleanUpNode(configuration: KubeletConfiguration) throws {
        let root = configuration.dataDirectory + "/volumes"
        for uid in Files.list(root) {
            let volumes = root + "/" + uid + "/volumes"
            for name in Files.list(volumes) { try TmpfsMount.unmount(volumes + "/" + name) }
        }
        try Files.removeTree(root)
    }

    private func refreshLoop() async {
        while !Task.isCancelled {
            await refreshAll()
            try? await Task.sleep(for: refreshInterval)
        }
    }

    private func startRefreshingUnlessRunning() {
        background.withLock { state in
            guard !state.runCalled, state.task == nil else { return }
            // Weak: the loop must not keep the volume manager alive.
            state.task = Task { [weak self] in
                while !Task.isCancelled {
                    guard let self else { return }
                    await self.refreshAll()
                    let interval = self.refreshInterval
                    try? await Task.sleep(for: interval)
                }
            }
        }
    }

    func refreshAll() async {
        for (uid, pod) in knownPods() {
            do {
                try await locks.withLock(uid) {
                    // Torn down meanwhile: nothing to refresh.
                    guard Files.exists(podRecord(uid)) else { return }
                    for volume in pod["spec"]?["volumes"]?.arrayValue ?? [] where Self.isRefreshed(volume) {
                        _ = try await prepare(volume, pod: pod)
                    }
                }
            } catch {
                logger.debug("refreshing the volumes of pod \(pod.key): \(error)")
            }
        }
    }

    static func isRefreshed(_ volume: JSONValue) -> Bool {
        ["configMap", "secret", "downwardAPI", "projected"].contains { volume[$0] != nil }
    }

    // MARK: Preparing volumes

    private func prepareAll(pod: JSONValue) async throws -> [String: MountedVolume] {
        var mounted: [String: MountedVolume] = [:]
        for volume in pod["spec"]?["volumes"]?.arrayValue ?? [] {
            let result = try await prepare(volume, pod: pod)
            mounted[result.name] = result
        }
        return mounted
    }

    private func prepare(_ volume: JSONValue, pod: JSONValue) async throws -> MountedVolume {
        let name = volume["name"]?.stringValue ?? ""
        guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
            throw VolumeError.invalid(volume: name, reason: "invalid volume name")
        }
        let directory = volumeDirectory(pod.uid, name)
        let contents = VolumeContents(client: client, pod: pod, node: .machine)
        let fsGroup = Self.fsGroup(of: pod)
        // With an fsGroup the group may read every file (Kubernetes adds 0440), and owns it.
        let write = { (files: [String: VolumeFile]) throws in
            var files = files
            if fsGroup != nil { for key in files.keys { files[key]?.mode |= 0o440 } }
            try AtomicVolumeWriter.write(files, to: directory, group: fsGroup)
        }
        if let emptyDir = volume["emptyDir"] {
            if emptyDir["medium"]?.stringValue == "Memory" {
                let size = emptyDir["sizeLimit"].flatMap(Quantity.value(of:)).map { Int64($0) }
                try TmpfsMount.ensure(directory, sizeBytes: size)
            } else {
                try Files.makeDirectories(directory)
            }
            // Any user of the pod may write there (Kubernetes makes emptyDirs 0777).
            chmod(directory, 0o777)
            if let fsGroup {
                chown(directory, uid_t.max, gid_t(fsGroup))
                chmod(directory, 0o2777)
            }
            return MountedVolume(name: name, hostPath: directory, readOnly: false)
        }
        if let source = volume["configMap"] {
            try write(try await contents.configMap(source, volume: name))
            return MountedVolume(name: name, hostPath: directory, readOnly: true)
        }
        if let source = volume["secret"] {
            try TmpfsMount.ensure(directory)
            try write(try await contents.secret(source, volume: name))
            return MountedVolume(name: name, hostPath: directory, readOnly: true)
        }
        if let source = volume["downwardAPI"] {
            try write(try contents.downwardAPI(source, volume: name))
            return MountedVolume(name: name, hostPath: directory, readOnly: true)
        }
        if let source = volume["projected"] {
            try TmpfsMount.ensure(directory)
            let files = try await contents.projected(source, volume: name) { token in
                await self.serviceAccountToken(token, pod: pod, volume: name)
            }
            try write(files)
            return MountedVolume(name: name, hostPath: directory, readOnly: true)
        }
        if let source = volume["hostPath"] {
            let path = source["path"]?.stringValue ?? ""
            try HostPathVolume.prepare(path: path, type: source["type"]?.stringValue ?? "", volume: name)
            return MountedVolume(name: name, hostPath: path, readOnly: false)
        }
        if let source = volume["persistentVolumeClaim"] {
            let claim = source["claimName"]?.stringValue ?? ""
            let path = try await provisioner.volumePath(claimNamespace: pod.namespace ?? "default", claimName: claim, volume: name)
            if let fsGroup { chown(path, uid_t.max, gid_t(fsGroup)) }
            return MountedVolume(name: name, hostPath: path, readOnly: source["readOnly"]?.boolValue ?? false)
        }
        let kind = volume.objectValue?.keys.first { $0 != "name" } ?? "unknown"
        throw VolumeError.unsupported(volume: name, kind: kind)
    }

    /// `spec.securityContext.fsGroup`: the group that owns the pod's volumes.
    static func fsGroup(of pod: JSONValue) -> UInt32? {
        guard let value = pod["spec"]?["securityContext"]?["fsGroup"]?.intValue, (0...Int64(UInt32.max - 1)).contains(value) else { return nil }
        return UInt32(value)
    }

    /// A bound token from the TokenRequest API for a serviceAccountToken projection. Without
    /// one (the apiserver does not serve it) the file is left out and a warning logged:
    /// the pod still starts, only in-cluster API authentication by token is unavailable.
    private func serviceAccountToken(_ projection: JSONValue, pod: JSONValue, volume: String) async -> [String: VolumeFile] {
        let path = projection["path"]?.stringValue ?? "token"
        let account = pod["spec"]?["serviceAccountName"]?.stringValue ?? "default"
        var spec: JSONValue = [
            "expirationSeconds": .int(projection["expirationSeconds"]?.intValue ?? 3607),
            "boundObjectRef": ["apiVersion": "v1", "kind": "Pod", "name": .string(pod.name), "uid": .string(pod.uid)],
        ]
        if let audience = projection["audience"]?.stringValue, !audience.isEmpty { spec["audiences"] = [.string(audience)] }
        let request: JSONValue = ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec]
        do {
            let answer = try await client.create(.serviceAccounts, namespace: pod.namespace, request, name: account, subresource: "token")
            guard let token = answer["status"]?["token"]?.stringValue else { return [:] }
            return [path: VolumeFile(bytes: Array(token.utf8), mode: VolumeContents.defaultMode)]
        } catch {
            logger.warning("volume \(volume) of pod \(pod.key): no service account token (\(error)); the file is left out")
            return [:]
        }
    }

    // MARK: Known pods

    private func knownPods() -> [String: JSONValue] {
        pods.withLock { known in
            if let known { return known }
            var loaded: [String: JSONValue] = [:]
            for uid in Files.list(rootDirectory) {
                if let bytes = try? Files.read(podRecord(uid)), let pod = try? JSONValue.parse(bytes).value { loaded[uid] = pod }
            }
            known = loaded
            return loaded
        }
    }

    private func remember(_ pod: JSONValue) {
        _ = knownPods()
        pods.withLock { $0?[pod.uid] = pod }
    }

    private func forget(_ uid: String) {
        _ = knownPods()
        pods.withLock { $0?[uid] = nil }
    }
}
