import ClusterClient
import Logging

/// The node agent: registers the Node, heartbeats through its Lease, and keeps the pods
/// bound to this node (and the static pods) running as described.
public final class Kubelet: Sendable {
    public let configuration: KubeletConfiguration

    public init(configuration: KubeletConfiguration, client: ClusterClient, logger: Logger = Logger(label: "skiff.kubelet")) throws {
        self.configuration = configuration
    }

    /// Runs until the task is cancelled. Cancellation leaves the pods running (a restarted
    /// agent adopts them); `stopAllPods` is what `skiff down` calls.
    public func run() async throws {
        throw ClientError.unimplemented("Kubelet.run")
    }

    /// Stops every pod on the node (graceful termination), tears down sandboxes and volumes.
    public func stopAllPods() async throws {}

    /// What `skiff down` runs after the server has stopped: kills every container recorded
    /// under the agent's data directory, tears down sandboxes, volumes, pod cgroups and the
    /// node's bridge and routes, so nothing is left on the machine. Needs no apiserver.
    public static func cleanUpNode(configuration: KubeletConfiguration,
                                   logger: Logger = Logger(label: "skiff.kubelet")) async throws {}
}
