import NIOSSL
import X509

/// How a TLS server treats client certificates.
public enum ClientCertificatePolicy: Sendable, Hashable {
    /// A presented certificate must chain to the trust roots, but none is required: the apiserver
    /// lets anonymous clients in so that it can answer 401/403 as a Kubernetes `Status` itself,
    /// and so that bearer tokens work.
    case optional
    /// A certificate chaining to the trust roots is required: store peers admit only peers.
    case required
}

/// NIOSSL configurations built from the cluster's certificates. TLS 1.2 is the floor (what
/// Kubernetes components accept by default); ALPN offers HTTP/2 first, as kubectl does.
public enum TLSConfigurations {
    public static let defaultApplicationProtocols = ["h2", "http/1.1"]

    /// A server presenting `identity` and verifying client certificates against `trustRoots`.
    public static func server(
        identity: CertifiedKey,
        trustRoots: [Certificate],
        clientCertificates: ClientCertificatePolicy,
        applicationProtocols: [String] = defaultApplicationProtocols
    ) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try identity.nioCertificate())],
            privateKey: .privateKey(try identity.nioPrivateKey())
        )
        configuration.trustRoots = .certificates(try trustRoots.map(nioCertificate))
        configuration.certificateVerification = switch clientCertificates {
        case .optional: .optionalVerification
        case .required: .fullVerification
        }
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = applicationProtocols
        return configuration
    }

    /// A client trusting only `trustRoots` (never the system store: the cluster CA is the only
    /// authority for cluster endpoints) and presenting `identity` when given. Host names are
    /// verified against the server certificate's names.
    public static func client(
        trustRoots: [Certificate],
        identity: CertifiedKey? = nil,
        applicationProtocols: [String] = defaultApplicationProtocols
    ) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try trustRoots.map(nioCertificate))
        configuration.certificateVerification = .fullVerification
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = applicationProtocols
        if let identity {
            configuration.certificateChain = [.certificate(try identity.nioCertificate())]
            configuration.privateKey = .privateKey(try identity.nioPrivateKey())
        }
        return configuration
    }

    static func nioCertificate(_ certificate: Certificate) throws -> NIOSSLCertificate {
        try NIOSSLCertificate(bytes: certificate.serializeAsPEM().derBytes, format: .der)
    }
}

extension CertifiedKey {
    public func nioCertificate() throws -> NIOSSLCertificate {
        try TLSConfigurations.nioCertificate(certificate)
    }

    public func nioPrivateKey() throws -> NIOSSLPrivateKey {
        try NIOSSLPrivateKey(bytes: Array(privateKeyPEM().utf8), format: .pem)
    }
}
