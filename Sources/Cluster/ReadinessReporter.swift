import APIServer
import KVStore
import Logging
import PKI
import ServiceLifecycle

/// Waits until the server is usable (the apiserver bound its port and the store answers a
/// linearizable read, so a leader exists), then writes the admin kubeconfig with the real port
/// and reports readiness once. Writing the kubeconfig last means a kubeconfig on disk never
/// points at a port nobody listens on during startup.
struct ReadinessReporter: Service {
    let apiServer: APIServer
    let store: any KeyValueStore
    let pki: ClusterPKI
    let clusterName: String
    let host: String
    let kubeconfigPath: String
    let logger: Logger
    let onReady: @Sendable (ServerReady) -> Void

    func run() async throws {
        try await cancelWhenGracefulShutdown {
            let port = try await apiServer.listeningPort()
            try await waitForStore()
            let url = "https://\(host):\(port)"
            try Kubeconfig.write(pki.adminKubeconfig(cluster: clusterName, server: url), to: kubeconfigPath)
            logger.info("admin kubeconfig written", metadata: ["path": "\(kubeconfigPath)", "server": "\(url)"])
            onReady(ServerReady(url: url, kubeconfigPath: kubeconfigPath, port: port))
        }
    }

    /// Retries until the member can serve a consistent read; logs while it waits for peers.
    func waitForStore() async throws {
        var attempts = 0
        while true {
            do {
                _ = try await store.currentRevision()
                return
            } catch {
                attempts += 1
                if attempts % 50 == 0 {
                    logger.notice("waiting for the store to elect a leader", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }
}
