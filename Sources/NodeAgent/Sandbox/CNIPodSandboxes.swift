import Logging

/// Pod sandboxes built from a network namespace per pod, wired by the CNI reference plugins
/// (bridge, host-local, portmap, loopback), with persistent ipc and uts namespaces.
public final class CNIPodSandboxes: PodSandboxManaging {
    public let configuration: KubeletConfiguration
    let logger: Logger

    public init(configuration: KubeletConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    public func setPodCIDR(_ cidr: String) async throws {}

    public func setUp(_ request: PodSandboxRequest) async throws -> PodSandbox {
        throw SandboxError.notImplemented
    }

    public func tearDown(podUID: String) async throws {}

    public func existing(podUID: String) async -> PodSandbox? { nil }

    public func all() async -> [PodSandbox] { [] }

    /// Tears down every recorded sandbox, deletes the bridge and the IPAM state.
    public static func cleanUpNode(configuration: KubeletConfiguration, logger: Logger = Logger(label: "skiff.sandbox")) async throws {}
}

public enum SandboxError: Error, Sendable {
    case notImplemented
}
