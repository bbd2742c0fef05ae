import Foundation
import X509

/// One cluster as a kubeconfig describes it: a cluster, a user and a context binding them, all
/// under one name (`skiff-<cluster>`), so that adding and removing skiff's entries from a user's
/// kubeconfig can never touch anything else.
public struct KubeconfigEntry: Sendable, Hashable {
    /// How the user authenticates.
    public enum Credentials: Sendable, Hashable {
        /// PEM certificate and key, stored as `client-certificate-data` / `client-key-data`.
        case clientCertificate(certificatePEM: String, keyPEM: String)
        /// A bearer token, stored as `token`.
        case token(String)
    }

    /// Name of the cluster, user and context entries.
    public var name: String
    /// The apiserver URL.
    public var server: String
    /// PEM of the CA the server's certificate chains to.
    public var certificateAuthorityPEM: String
    public var credentials: Credentials

    public init(name: String, server: String, certificateAuthorityPEM: String, credentials: Credentials) {
        self.name = name
        self.server = server
        self.certificateAuthorityPEM = certificateAuthorityPEM
        self.credentials = credentials
    }

    /// The entry `skiff up` writes: context `skiff-<cluster>` for the admin user.
    public static func skiff(
        cluster: String,
        certificateAuthority: Certificate,
        user: CertifiedKey,
        server: String = "https://127.0.0.1:6443"
    ) throws -> KubeconfigEntry {
        KubeconfigEntry(
            name: contextName(cluster: cluster),
            server: server,
            certificateAuthorityPEM: try certificateAuthority.serializeAsPEM().pemString + "\n",
            credentials: .clientCertificate(certificatePEM: try user.certificatePEM(), keyPEM: try user.privateKeyPEM())
        )
    }

    /// `skiff-<cluster>`: the cluster, user and context name in a kubeconfig.
    public static func contextName(cluster: String) -> String { "skiff-\(cluster)" }
}
