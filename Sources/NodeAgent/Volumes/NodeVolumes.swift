import APIModel
import ClusterClient
import Logging

/// A pod's volumes on this node: emptyDir, configMap, secret, hostPath, downwardAPI,
/// projected and persistentVolumeClaim (local-path).
public final class NodeVolumes: VolumeManaging {
    public let configuration: KubeletConfiguration
    let client: ClusterClient
    let logger: Logger

    public init(configuration: KubeletConfiguration, client: ClusterClient, logger: Logger) {
        self.configuration = configuration
        self.client = client
        self.logger = logger
    }

    public func setUp(pod: JSONValue) async throws -> [String: MountedVolume] { [:] }

    public func tearDown(podUID: String) async throws {}

    public func podsWithVolumes() async -> [String] { [] }
}
