import NIOCore
import NIOSSL

/// Mutual TLS for the peer (Raft) port.
///
/// Both ends present a certificate and both verify the other's against the cluster's peer CA
/// only (never the system trust store): a member's listener refuses a connection whose client
/// certificate does not chain to that CA, and a member dialling a peer refuses a server whose
/// certificate does not chain to it or does not name the address dialled. The peer CA signs
/// nothing but store peers, so holding a certificate it signed is what admits a process to
/// the Raft port; client (kubeconfig) certificates come from another CA and are refused.
public struct PeerTLS: Sendable {
    let serverContext: NIOSSLContext
    let clientContext: NIOSSLContext

    /// From ready-made NIOSSL configurations (the cluster's composition root builds them with
    /// `TLSConfigurations.server(…, clientCertificates: .required)` and `.client(…)`). The server
    /// configuration must require client certificates, or this is not mutual TLS.
    public init(server: TLSConfiguration, client: TLSConfiguration) throws {
        guard server.certificateVerification == .fullVerification else {
            throw PeerTLSError("the peer listener must verify client certificates fully (mutual TLS)")
        }
        guard client.certificateVerification == .fullVerification else {
            throw PeerTLSError("peer connections must verify the server's certificate and name")
        }
        serverContext = try NIOSSLContext(configuration: server)
        clientContext = try NIOSSLContext(configuration: client)
    }

    /// From PEM files, as `skiff store run --peer-cert-file … --peer-key-file … --peer-trusted-ca-file …`
    /// takes them. The one certificate serves both directions, so it needs both the serverAuth
    /// and clientAuth extended key usages (the cluster PKI's store-peer certificate has both).
    public init(certificateFile: String, keyFile: String, trustedCAFile: String) throws {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        let roots: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        } catch {
            throw PeerTLSError("cannot read the peer certificate \(certificateFile): \(error)")
        }
        do {
            key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        } catch {
            throw PeerTLSError("cannot read the peer key \(keyFile): \(error)")
        }
        do {
            roots = try NIOSSLCertificate.fromPEMFile(trustedCAFile)
        } catch {
            throw PeerTLSError("cannot read the peer CA \(trustedCAFile): \(error)")
        }
        guard !chain.isEmpty else { throw PeerTLSError("\(certificateFile) holds no certificate") }
        guard !roots.isEmpty else { throw PeerTLSError("\(trustedCAFile) holds no certificate") }
        try self.init(chain: chain, key: key, trustRoots: roots)
    }

    /// From parsed certificates: `chain` (leaf first) with its `key`, trusting only `trustRoots`.
    public init(chain: [NIOSSLCertificate], key: NIOSSLPrivateKey, trustRoots: [NIOSSLCertificate]) throws {
        var server = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        server.trustRoots = .certificates(trustRoots)
        server.certificateVerification = .fullVerification
        server.minimumTLSVersion = .tlsv12
        var client = TLSConfiguration.makeClientConfiguration()
        client.certificateChain = chain.map { .certificate($0) }
        client.privateKey = .privateKey(key)
        client.trustRoots = .certificates(trustRoots)
        client.certificateVerification = .fullVerification
        client.minimumTLSVersion = .tlsv12
        try self.init(server: server, client: client)
    }

    func serverHandler() -> NIOSSLServerHandler {
        NIOSSLServerHandler(context: serverContext)
    }

    /// The client side of a connection to `host`. An IP address is checked against the
    /// certificate's IP SANs (it may not go in SNI); a name is sent as SNI and checked against
    /// its DNS SANs.
    func clientHandler(host: String) throws -> NIOSSLClientHandler {
        let isAddress = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        return try NIOSSLClientHandler(context: clientContext, serverHostname: isAddress ? nil : host)
    }
}

public struct PeerTLSError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
