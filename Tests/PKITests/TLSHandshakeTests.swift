import Foundation
import NIOSSL
import PKI
import Testing

/// Real TLS between NIOSSL endpoints built from `TLSConfigurations`, and curl as a foreign client.
@Suite("TLS with the cluster certificates: handshakes, client identities, curl")
struct TLSHandshakeTests {
    static func makePKI(_ data: TemporaryDirectory) throws -> ClusterPKI {
        try ClusterPKI.loadOrCreate(dataDirectory: data.path, options: PKIOptions(nodeName: "node-1"))
    }

    /// An apiserver-like endpoint: optional client certificates, HTTP/1.1 only by default because
    /// the test handler speaks HTTP/1.1 (curl would otherwise pick h2).
    static func apiServer(_ pki: ClusterPKI, protocols: [String] = ["http/1.1"]) throws -> TLSConfiguration {
        try TLSConfigurations.server(
            identity: pki.apiServer, trustRoots: [pki.ca.certificate], clientCertificates: .optional,
            applicationProtocols: protocols)
    }

    static func http1Client(_ pki: ClusterPKI, identity: CertifiedKey?) throws -> TLSConfiguration {
        try TLSConfigurations.client(trustRoots: [pki.ca.certificate], identity: identity, applicationProtocols: ["http/1.1"])
    }

    @Test("a client certificate's CN and O reach the server as user and groups")
    func clientCertificateIdentity() async throws {
        let data = try TemporaryDirectory()
        let pki = try Self.makePKI(data)
        try await withIdentityEchoServer(Self.apiServer(pki, protocols: TLSConfigurations.defaultApplicationProtocols)) { server in
            let response = try await requestOverTLS(
                port: server.port, configuration: Self.http1Client(pki, identity: pki.admin),
                serverHostname: "kubernetes.default.svc")
            #expect(response.body == "user=admin groups=system:masters")
            #expect(response.negotiatedProtocol == "http/1.1")
        }
    }

    @Test("ALPN settles on h2 when both sides offer the defaults")
    func alpnPrefersHTTP2() async throws {
        let data = try TemporaryDirectory()
        let pki = try Self.makePKI(data)
        try await withIdentityEchoServer(Self.apiServer(pki, protocols: TLSConfigurations.defaultApplicationProtocols)) { server in
            let client = try TLSConfigurations.client(trustRoots: [pki.ca.certificate], identity: pki.admin)
            let response = try await requestOverTLS(port: server.port, configuration: client, serverHostname: "localhost")
            #expect(response.negotiatedProtocol == "h2")
        }
    }

    @Test("without a certificate the client connects but is anonymous")
    func anonymousClient() async throws {
        let data = try TemporaryDirectory()
        let pki = try Self.makePKI(data)
        try await withIdentityEchoServer(Self.apiServer(pki)) { server in
            let response = try await requestOverTLS(
                port: server.port, configuration: Self.http1Client(pki, identity: nil), serverHostname: "127.0.0.1")
            #expect(response.body == "anonymous")
        }
    }

    @Test("a client certificate from another CA is rejected in the handshake")
    func foreignClientCertificate() async throws {
        let data = try TemporaryDirectory(), otherData = try TemporaryDirectory()
        let pki = try Self.makePKI(data), other = try Self.makePKI(otherData)
        try await withIdentityEchoServer(Self.apiServer(pki)) { server in
            let foreign = try Self.http1Client(pki, identity: other.admin)
            await #expect(throws: (any Error).self) {
                try await requestOverTLS(port: server.port, configuration: foreign, serverHostname: "localhost")
            }
            // The server keeps serving honest clients afterwards.
            let honest = try Self.http1Client(pki, identity: pki.admin)
            let response = try await requestOverTLS(port: server.port, configuration: honest, serverHostname: "localhost")
            #expect(response.body == "user=admin groups=system:masters")
        }
    }

    @Test("a client refuses a server whose certificate does not name the dialled host")
    func hostnameVerification() async throws {
        let data = try TemporaryDirectory()
        let pki = try Self.makePKI(data)
        // NIOSSL also accepts an IP SAN equal to the connected address, so this server's
        // certificate names only a DNS name: the dialled name alone decides.
        let dnsOnly = try pki.ca.issue(
            commonName: "kube-apiserver", usage: .server, servingNames: ServingNames(dnsNames: ["kubernetes"], ipAddresses: []))
        let configuration = try TLSConfigurations.server(
            identity: dnsOnly, trustRoots: [pki.ca.certificate], clientCertificates: .optional, applicationProtocols: ["http/1.1"])
        try await withIdentityEchoServer(configuration) { server in
            let client = try Self.http1Client(pki, identity: nil)
            await #expect(throws: (any Error).self) {
                try await requestOverTLS(port: server.port, configuration: client, serverHostname: "evil.example")
            }
            let response = try await requestOverTLS(port: server.port, configuration: client, serverHostname: "kubernetes")
            #expect(response.body == "anonymous")
        }
    }

    @Test("store peers require a peer certificate from the peer CA")
    func peerMutualTLS() async throws {
        let data = try TemporaryDirectory()
        let pki = try Self.makePKI(data)
        let configuration = try TLSConfigurations.server(
            identity: pki.storePeer, trustRoots: [pki.peerCA.certificate], clientCertificates: .required,
            applicationProtocols: ["http/1.1"])
        try await withIdentityEchoServer(configuration) { server in
            func client(_ identity: CertifiedKey?) throws -> TLSConfiguration {
                try TLSConfigurations.client(
                    trustRoots: [pki.peerCA.certificate], identity: identity, applicationProtocols: ["http/1.1"])
            }
            let peer = try client(pki.storePeer), admin = try client(pki.admin), anonymous = try client(nil)
            let response = try await requestOverTLS(port: server.port, configuration: peer, serverHostname: "node-1")
            #expect(response.body == "user=node-1 groups=")
            // The kubeconfig admin (clientAuth, but from the cluster CA) cannot reach the peer port.
            await #expect(throws: (any Error).self) {
                try await requestOverTLS(port: server.port, configuration: admin, serverHostname: "node-1")
            }
            await #expect(throws: (any Error).self) {
                try await requestOverTLS(port: server.port, configuration: anonymous, serverHostname: "node-1")
            }
        }
    }

    @Test("curl with ca.crt, admin.crt and admin.key is authenticated as admin",
          .enabled(if: toolExists("/usr/bin/curl"), "needs curl"))
    func curlWithClientCertificate() async throws {
        let data = try TemporaryDirectory()
        let pki = try Self.makePKI(data)
        try await withIdentityEchoServer(Self.apiServer(pki)) { server in
            let dir = data.file("pki")
            let base = ["-sS", "--noproxy", "*", "--max-time", "20", "--cacert", "\(dir)/ca.crt"]
            let admin = try runTool("/usr/bin/curl", base + [
                "--cert", "\(dir)/admin.crt", "--key", "\(dir)/admin.key", "https://127.0.0.1:\(server.port)/"])
            #expect(admin.status == 0, "\(admin.stderr)")
            #expect(admin.stdout == "user=admin groups=system:masters")
            let byName = try runTool("/usr/bin/curl", base + [
                "--resolve", "kubernetes.default.svc.cluster.local:\(server.port):127.0.0.1",
                "https://kubernetes.default.svc.cluster.local:\(server.port)/"])
            #expect(byName.status == 0, "\(byName.stderr)")
            #expect(byName.stdout == "anonymous")
            let untrusted = try runTool("/usr/bin/curl", ["-sS", "--noproxy", "*", "--max-time", "20", "https://127.0.0.1:\(server.port)/"])
            #expect(untrusted.status != 0, "curl must not trust the cluster CA without --cacert")
        }
    }
}
