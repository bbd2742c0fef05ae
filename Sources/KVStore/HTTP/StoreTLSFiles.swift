import NIOSSL

/// TLS configurations for the client endpoint, read from PEM files as `skiff store run`
/// takes them. The cluster's composition root builds its own from the PKI instead.
public enum StoreTLSFiles {
    /// Serving `https://` with the certificate chain in `certificateFile`. Clients are not asked
    /// for certificates: the endpoint is for debugging and benchmarks, behind the peer CA's
    /// member list, and the apiserver is the authenticated front door.
    public static func serverConfiguration(certificateFile: String, keyFile: String) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        } catch {
            throw PeerTLSError("cannot read the certificate \(certificateFile): \(error)")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        } catch {
            throw PeerTLSError("cannot read the key \(keyFile): \(error)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }

    /// Verifying `https://` endpoints against `trustedCAFile` only.
    public static func clientConfiguration(trustedCAFile: String) throws -> TLSConfiguration {
        let roots: [NIOSSLCertificate]
        do {
            roots = try NIOSSLCertificate.fromPEMFile(trustedCAFile)
        } catch {
            throw PeerTLSError("cannot read the CA \(trustedCAFile): \(error)")
        }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(roots)
        configuration.certificateVerification = .fullVerification
        configuration.minimumTLSVersion = .tlsv12
        return configuration
    }
}
