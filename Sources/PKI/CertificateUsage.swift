import X509

/// What a leaf certificate may be used for. The CA, not the requester, decides this: a node
/// asking for a serving certificate cannot smuggle in clientAuth and act as a user.
public enum CertificateUsage: String, Sendable, Hashable, CaseIterable {
    /// A TLS server (the apiserver, a kubelet's serving endpoint): extendedKeyUsage serverAuth.
    case server
    /// A TLS client (kubectl, controllers, agents): extendedKeyUsage clientAuth.
    case client
    /// A store peer, which both dials and accepts: serverAuth and clientAuth.
    case peer

    var extendedKeyUsage: ExtendedKeyUsage {
        get throws {
            switch self {
            case .server: return try ExtendedKeyUsage([.serverAuth])
            case .client: return try ExtendedKeyUsage([.clientAuth])
            case .peer: return try ExtendedKeyUsage([.serverAuth, .clientAuth])
            }
        }
    }

    /// Whether this usage carries subject alternative names (only endpoints that accept connections do).
    var servesConnections: Bool { self != .client }
}
