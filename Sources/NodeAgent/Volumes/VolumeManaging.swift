import APIModel

/// One of a pod's volumes prepared on the node: the host path a container's volumeMount binds.
public struct MountedVolume: Sendable, Hashable {
    public var name: String
    public var hostPath: String
    /// configMap, secret, downwardAPI and projected volumes are read-only in every container.
    public var readOnly: Bool

    public init(name: String, hostPath: String, readOnly: Bool) {
        self.name = name
        self.hostPath = hostPath
        self.readOnly = readOnly
    }
}

/// Prepares a pod's volumes (emptyDir on disk or tmpfs, configMap, secret, hostPath,
/// downwardAPI, projected, persistentVolumeClaim on local-path) and keeps configMap/secret/
/// downwardAPI contents current while the pod runs. Idempotent and restart-safe, like
/// `PodSandboxManaging`.
public protocol VolumeManaging: Sendable {
    /// Every volume of `pod` (the Pod object as stored), by volume name. Throws when a
    /// referenced ConfigMap/Secret/PVC is missing (the kubelet reports it and retries).
    func setUp(pod: JSONValue) async throws -> [String: MountedVolume]
    /// Unmounts and removes the pod's volumes (not the data of persistent volumes).
    func tearDown(podUID: String) async throws
    /// Pod UIDs with volumes on disk (to clean up after deleted pods).
    func podsWithVolumes() async -> [String]
}
