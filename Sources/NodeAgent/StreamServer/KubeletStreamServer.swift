import Logging

/// The kubelet's streaming server: the HTTPS API the apiserver proxies `pods/log`,
/// `pods/exec`, `pods/attach` and `pods/portforward` to.
public final class KubeletStreamServer: Sendable {
    let configuration: KubeletConfiguration
    let backend: any PodStreamBackend
    let logger: Logger

    public init(configuration: KubeletConfiguration, backend: any PodStreamBackend, logger: Logger) {
        self.configuration = configuration
        self.backend = backend
        self.logger = logger
    }

    /// Serves until cancelled.
    public func run() async throws {
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(3600))
        }
    }
}
