import ClusterClient
import Logging

/// Pure L3 between nodes: a route to every other node's pod CIDR through that node's
/// InternalIP, kept in step with the Node objects; IP forwarding on.
public final class NodeRouteSync: Sendable {
    public init(configuration: KubeletConfiguration, client: ClusterClient, informers: InformerFactory,
                logger: Logger = Logger(label: "skiff.routes")) {}

    /// Runs until cancelled; removes the routes it added when it ends.
    public func run() async {}
}
