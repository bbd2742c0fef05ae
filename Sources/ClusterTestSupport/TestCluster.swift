import ClusterClient
import PKI

/// A real single-member store and apiserver (TLS, client certificates) on an ephemeral
/// loopback port, with a fresh cluster PKI in a temporary directory: what the tests of the
/// scheduler, the controllers and the node agent run against.
public struct TestCluster: Sendable {
    /// A client presenting the admin certificate (system:masters).
    public let client: ClusterClient
    public let connection: ClusterConnection
    public let pki: ClusterPKI
    public let port: Int
    /// The temporary directory (removed afterwards); holds `admin.kubeconfig` for real kubectl.
    public let directory: String
    public var kubeconfigPath: String { directory + "/admin.kubeconfig" }

    /// Another client (its own connection pool and user agent) to the same apiserver.
    public func makeClient(userAgent: String) throws -> ClusterClient {
        try ClusterClient(connection: connection, userAgent: userAgent)
    }
}

/// Starts the store and apiserver, runs `body`, then stops everything and removes the
/// directory, also when `body` throws.
public func withTestCluster<T: Sendable>(_ body: @Sendable (TestCluster) async throws -> T) async throws -> T {
    throw ClientError.unimplemented("withTestCluster")
}
