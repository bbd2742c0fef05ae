import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import NodeAgent

/// The cluster DNS server answering real `dig` (from the distribution's bind9-dnsutils) over
/// UDP and TCP on loopback.
@Suite("Cluster DNS server", .serialized, .enabled(if: DNSTestSupport.digPath != nil, "needs dig (apt-get install bind9-dnsutils)"))
struct DNSServerTests {
    static let services = [
        DNSService(namespace: "shop", name: "api", clusterIPs: ["10.43.0.20"], headless: false,
                   ports: [.init(name: "http", protocol: "TCP", port: 80), .init(name: "", protocol: "TCP", port: 9000)]),
        DNSService(namespace: "shop", name: "db", clusterIPs: [], headless: true, ports: [],
                   endpoints: [.init(addresses: ["10.42.0.5"], hostname: "db-0", ready: true),
                               .init(addresses: ["10.42.0.6"], hostname: "db-1", ready: true),
                               .init(addresses: ["10.42.0.7"], hostname: "db-2", ready: false)],
                   endpointPorts: [.init(name: "pg", protocol: "TCP", port: 5432)]),
        DNSService(namespace: "shop", name: "docs", clusterIPs: [], headless: false, externalName: "api.shop.svc.cluster.local",
                   ports: []),
    ]

    static func withServer(forwarder: DNSForwarder? = nil, _ body: (Int) async throws -> Void) async throws {
        let table = ClusterDNSTable.build(services: services)
        let server = ClusterDNSServer(host: "127.0.0.1", port: 0,
                                      responder: ClusterDNSResponder(table: { table }, forwarder: forwarder))
        let task = Task { try await server.run() }
        defer { task.cancel() }
        var port: Int?
        for _ in 0..<200 where port == nil {
            port = server.port
            if port == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        try await body(try #require(port))
    }

    @Test("A of a ClusterIP service, over UDP and TCP, case-insensitively")
    func serviceA() async throws {
        try await Self.withServer { port in
            let udp = try DNSTestSupport.dig(port, "api.shop.svc.cluster.local", "A")
            #expect(udp.status == "NOERROR")
            #expect(udp.answers == ["api.shop.svc.cluster.local. 5 IN A 10.43.0.20"])
            #expect(udp.flags.contains("aa"))
            let tcp = try DNSTestSupport.dig(port, "API.Shop.svc.cluster.local", "A", tcp: true)
            #expect(tcp.answers == ["API.Shop.svc.cluster.local. 5 IN A 10.43.0.20"])
        }
    }

    @Test("headless services answer with ready endpoints; StatefulSet pod names resolve")
    func headless() async throws {
        try await Self.withServer { port in
            let all = try DNSTestSupport.dig(port, "db.shop.svc.cluster.local", "A")
            #expect(Set(all.answers) == ["db.shop.svc.cluster.local. 5 IN A 10.42.0.5", "db.shop.svc.cluster.local. 5 IN A 10.42.0.6"])
            let pod = try DNSTestSupport.dig(port, "db-1.db.shop.svc.cluster.local", "A")
            #expect(pod.answers == ["db-1.db.shop.svc.cluster.local. 5 IN A 10.42.0.6"])
            // Not ready: not published.
            let notReady = try DNSTestSupport.dig(port, "db-2.db.shop.svc.cluster.local", "A")
            #expect(notReady.status == "NXDOMAIN")
        }
    }

    @Test("SRV for named ports, with the targets' addresses in the additional section")
    func srv() async throws {
        try await Self.withServer { port in
            let api = try DNSTestSupport.dig(port, "_http._tcp.api.shop.svc.cluster.local", "SRV")
            #expect(api.answers == ["_http._tcp.api.shop.svc.cluster.local. 5 IN SRV 0 100 80 api.shop.svc.cluster.local."])
            #expect(api.additional.contains("api.shop.svc.cluster.local. 5 IN A 10.43.0.20"))
            let db = try DNSTestSupport.dig(port, "_pg._tcp.db.shop.svc.cluster.local", "SRV")
            #expect(Set(db.answers) == ["_pg._tcp.db.shop.svc.cluster.local. 5 IN SRV 0 100 5432 db-0.db.shop.svc.cluster.local.",
                                        "_pg._tcp.db.shop.svc.cluster.local. 5 IN SRV 0 100 5432 db-1.db.shop.svc.cluster.local."])
        }
    }

    @Test("PTR for cluster IPs and named endpoints; pod A records; ExternalName CNAME")
    func ptrPodsAndCNAME() async throws {
        try await Self.withServer { port in
            let ptr = try DNSTestSupport.dig(port, "20.0.43.10.in-addr.arpa", "PTR")
            #expect(ptr.answers == ["20.0.43.10.in-addr.arpa. 5 IN PTR api.shop.svc.cluster.local."])
            let endpointPTR = try DNSTestSupport.dig(port, "5.0.42.10.in-addr.arpa", "PTR")
            #expect(endpointPTR.answers == ["5.0.42.10.in-addr.arpa. 5 IN PTR db-0.db.shop.svc.cluster.local."])
            let unknownPTR = try DNSTestSupport.dig(port, "99.0.43.10.in-addr.arpa", "PTR")
            #expect(unknownPTR.status == "NXDOMAIN")
            let podA = try DNSTestSupport.dig(port, "10-42-0-9.shop.pod.cluster.local", "A")
            #expect(podA.answers == ["10-42-0-9.shop.pod.cluster.local. 5 IN A 10.42.0.9"])
            let cname = try DNSTestSupport.dig(port, "docs.shop.svc.cluster.local", "A")
            #expect(cname.answers == ["docs.shop.svc.cluster.local. 5 IN CNAME api.shop.svc.cluster.local.",
                                      "api.shop.svc.cluster.local. 5 IN A 10.43.0.20"])
        }
    }

    @Test("NXDOMAIN for missing names, NODATA (NOERROR, no answer, SOA) for other types and empty non-terminals")
    func negativeAnswers() async throws {
        try await Self.withServer { port in
            let missing = try DNSTestSupport.dig(port, "nope.shop.svc.cluster.local", "A")
            #expect(missing.status == "NXDOMAIN")
            #expect(missing.answers.isEmpty)
            #expect(missing.authority.first?.contains("IN SOA ns.dns.cluster.local. hostmaster.cluster.local.") == true)
            let aaaa = try DNSTestSupport.dig(port, "api.shop.svc.cluster.local", "AAAA")
            #expect(aaaa.status == "NOERROR")
            #expect(aaaa.answers.isEmpty)
            #expect(aaaa.authority.count == 1)
            let namespace = try DNSTestSupport.dig(port, "shop.svc.cluster.local", "A")
            #expect(namespace.status == "NOERROR")
            #expect(namespace.answers.isEmpty)
        }
    }

    @Test("outside names: SERVFAIL at once without upstreams; forwarded to an upstream when there is one")
    func outsideNames() async throws {
        try await Self.withServer { port in
            let started = ContinuousClock.now
            let failed = try DNSTestSupport.dig(port, "example.com", "A")
            #expect(failed.status == "SERVFAIL")
            #expect(ContinuousClock.now - started < .seconds(2))
        }
        // A stand-in upstream on loopback that answers every A query with 192.0.2.1.
        let upstream = try await DNSTestSupport.FakeUpstream.start()
        defer { upstream.stop() }
        let forwarder = DNSForwarder(upstreams: [try SocketAddress(ipAddress: "127.0.0.1", port: upstream.port)])
        try await Self.withServer(forwarder: forwarder) { port in
            let answered = try DNSTestSupport.dig(port, "example.com", "A")
            #expect(answered.status == "NOERROR")
            #expect(answered.answers == ["example.com. 60 IN A 192.0.2.1"])
        }
    }

    @Test("a malformed query gets FORMERR; the server keeps answering")
    func malformed() async throws {
        try await Self.withServer { port in
            let reply = try DNSTestSupport.rawUDP(port, [0x12, 0x34, 0x01, 0x00, 0x00, 0x02, 0, 0, 0, 0, 0, 0])
            #expect(reply.count >= 12)
            #expect(reply[0] == 0x12 && reply[1] == 0x34)
            #expect(reply[3] & 0x0F == 1)
            let after = try DNSTestSupport.dig(port, "api.shop.svc.cluster.local", "A")
            #expect(after.answers.count == 1)
        }
    }
}
