import PKI
import X509

/// Where the apiserver is and how to prove who we are: what a kubeconfig context says.
public struct ClusterConnection: Sendable {
    /// `https://127.0.0.1:6443`.
    public var server: String
    /// CAs trusted for the apiserver's serving certificate (the cluster CA).
    public var trustRoots: [Certificate]
    /// Client certificate and key (CN = user, O = groups), if any.
    public var identity: CertifiedKey?
    /// Bearer token, if any (used when there is no client certificate).
    public var bearerToken: String?
    /// Skip hostname verification (loopback addresses the serving certificate names anyway).
    public var verifyHostname: Bool

    public init(server: String, trustRoots: [Certificate], identity: CertifiedKey? = nil,
                bearerToken: String? = nil, verifyHostname: Bool = false) {
        self.server = server
        self.trustRoots = trustRoots
        self.identity = identity
        self.bearerToken = bearerToken
        self.verifyHostname = verifyHostname
    }

    /// Reads a kubeconfig file (embedded `*-data` or file paths; client certificate or token)
    /// and the named context, or its current context.
    public static func fromKubeconfig(path: String, context: String? = nil) throws -> ClusterConnection {
        throw ClientError.unimplemented("ClusterConnection.fromKubeconfig")
    }
}
