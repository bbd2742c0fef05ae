import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import PKI
import Synchronization
import Testing

@testable import KVStore

/// Certificates for the peer TLS tests: a peer CA with leaves for loopback, like the
/// cluster PKI's store-peer certificates.
struct PeerCertificates {
    let ca: CertificateAuthority

    init() throws {
        ca = try CertificateAuthority.generate(namePrefix: "test-peer-ca")
    }

    func leaf(_ name: String, usage: CertificateUsage = .peer) throws -> CertifiedKey {
        try ca.issue(
            commonName: name, usage: usage,
            servingNames: ServingNames(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"]))
    }

    func peerTLS(_ name: String) throws -> PeerTLS {
        let leaf = try leaf(name)
        return try PeerTLS(
            chain: [try leaf.nioCertificate()], key: try leaf.nioPrivateKey(),
            trustRoots: [try CertificateAuthority.nioRoot(ca)])
    }
}

extension CertificateAuthority {
    static func nioRoot(_ ca: CertificateAuthority) throws -> NIOSSLCertificate {
        try ca.identity.nioCertificate()
    }
}

/// Mutual TLS on the peer port: what is admitted and what is refused, over real sockets.
@Suite("Peer transport TLS", .serialized)
struct PeerTLSTests {
    @Test("three members with peer TLS elect a leader and replicate")
    func tlsClusterReplicates() async throws {
        let certificates = try PeerCertificates()
        let cluster = try await NodeTestCluster(size: 3) { index, configuration in
            configuration.peerTLS = try certificates.peerTLS("n\(index)")
        }
        defer { Task { await cluster.shutdown() } }
        try await cluster.waitUntilWritable()
        let clients = cluster.clientURLs.map { GatewayClient(endpoints: [$0], timeout: .seconds(5)) }
        _ = try await clients[0].put(KV.PutRequest(key: b("tls"), value: b("yes")))
        for client in clients {
            let got = try await client.range(KV.RangeRequest(key: b("tls")))
            #expect(got.kvs.first?.value == b("yes"))
        }
    }

    @Test("a member whose certificate comes from another CA is refused; the other two go on")
    func foreignMemberIsRefused() async throws {
        let certificates = try PeerCertificates()
        let foreign = try PeerCertificates()
        let cluster = try await NodeTestCluster(size: 3) { index, configuration in
            configuration.peerTLS = try (index == 2 ? foreign : certificates).peerTLS("n\(index)")
        }
        defer { Task { await cluster.shutdown() } }
        let good = [0, 1].map { GatewayClient(endpoints: [cluster.clientURLs[$0]], timeout: .seconds(2)) }
        var written = false
        for _ in 0..<200 where !written {
            written = (try? await good[0].put(KV.PutRequest(key: b("k"), value: b("v")))) != nil
            if !written { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(written)
        for index in 0..<5 { _ = try await good[1].put(KV.PutRequest(key: b("k\(index)"), value: b("v"))) }
        // The two members trusting each other committed writes; the foreign one never heard
        // a leader and applied nothing (every connection to or from it fails the handshake).
        let outsider = cluster.nodes[2].status
        #expect(outsider.leader == 0)
        #expect(outsider.appliedIndex <= 3)  // only the founding membership entries
        #expect(cluster.nodes[0].status.appliedIndex > 5)
    }

    @Test("the peer listener refuses a client certificate from another CA, and a client without one")
    func listenerRefusesForeignClients() async throws {
        let certificates = try PeerCertificates()
        let foreign = try PeerCertificates()
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let received = ReceivedFrames()
        let transport = PeerTransport(
            localID: 1, group: group, logger: .init(label: "test"), tls: try certificates.peerTLS("server"),
            onFrame: { _ in received.add() }, onUnreachable: { _ in })
        let port = try await transport.listen(on: PeerAddress(host: "127.0.0.1", port: 0))

        // Trusts the server's CA, so its own side of the handshake succeeds, but presents a
        // certificate from another CA (or none): the server must close without reading a frame.
        let foreignLeaf = try foreign.leaf("intruder")
        var withForeignCertificate = TLSConfiguration.makeClientConfiguration()
        withForeignCertificate.trustRoots = .certificates([try certificates.ca.identity.nioCertificate()])
        withForeignCertificate.certificateChain = [.certificate(try foreignLeaf.nioCertificate())]
        withForeignCertificate.privateKey = .privateKey(try foreignLeaf.nioPrivateKey())
        var withoutCertificate = TLSConfiguration.makeClientConfiguration()
        withoutCertificate.trustRoots = .certificates([try certificates.ca.identity.nioCertificate()])

        for configuration in [withForeignCertificate, withoutCertificate] {
            let context = try NIOSSLContext(configuration: configuration)
            let channel = try await ClientBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            try NIOSSLClientHandler(context: context, serverHostname: nil))
                    }
                }
                .connect(host: "127.0.0.1", port: port).get()
            var frame = ByteBuffer()
            frame.writeInteger(UInt32(4))
            frame.writeBytes([1, 2, 3, 4])
            try? await channel.writeAndFlush(frame).get()
            // The server ends the connection.
            for _ in 0..<200 where channel.isActive { try await Task.sleep(for: .milliseconds(50)) }
            #expect(!channel.isActive)
            try? await channel.close()
        }
        #expect(received.count == 0)

        // A client with a certificate from the right CA gets its frame through.
        let link = PeerLink(
            peerID: 1, host: "127.0.0.1", port: port, eventLoop: group.next(), logger: .init(label: "test"),
            tls: try certificates.peerTLS("member"), onUnreachable: { _ in })
        link.warmUp()
        var delivered = false
        for _ in 0..<200 where !delivered {
            link.send([PeerNotice.removed(member: 9, by: 8).encoded()])
            try await Task.sleep(for: .milliseconds(50))
            delivered = received.count > 0
        }
        #expect(delivered)
        link.close()
        await transport.shutdown()
        try await group.shutdownGracefully()
    }
}

final class ReceivedFrames: Sendable {
    private let value = Mutex(0)
    func add() { value.withLock { $0 += 1 } }
    var count: Int { value.withLock { $0 } }
}
