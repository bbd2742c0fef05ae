import ClusterClient
import Foundation
import PKI

/// The admin's view of a running cluster, built from the files in its data directory (the
/// CA and the admin pair), for `skiff up` and `skiff status`. Reads only: it never creates
/// or renews a certificate, which is the server's job.
struct AdminAccess {
    let settings: ClusterSettings
    let ca: CertifiedKey
    let admin: CertifiedKey

    init(settings: ClusterSettings) throws {
        self.settings = settings
        let directory = PKIDirectory(dataDirectory: settings.dataDirectory)
        guard let ca = try directory.load(ClusterPKI.caName), let admin = try directory.load(ClusterPKI.adminName) else {
            throw ClusterError.startup("no cluster PKI in \(directory.path): start the cluster with 'skiff up' first")
        }
        self.ca = ca
        self.admin = admin
    }

    func kubeconfigEntry(server: String) throws -> KubeconfigEntry {
        try KubeconfigEntry.skiff(cluster: settings.clusterName, certificateAuthority: ca.certificate, user: admin, server: server)
    }

    /// Runs `body` with an admin client of the apiserver at `server`, closing it afterwards.
    func withClient<T: Sendable>(server: String, _ body: (ClusterClient) async throws -> T) async throws -> T {
        let client = try ClusterClient(
            connection: ClusterConnection(server: server, trustRoots: [ca.certificate], identity: admin),
            userAgent: "skiff-up")
        do {
            let value = try await body(client)
            try? await client.shutdown()
            return value
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}

