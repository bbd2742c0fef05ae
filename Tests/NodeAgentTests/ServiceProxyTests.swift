import Foundation
import Testing
@testable import NodeAgent

/// The nftables service proxy on real network namespaces (root; the machines and CI run as
/// root): balancing, rejection without endpoints, node ports on 127.0.0.1, hairpin, client-IP
/// affinity and incremental updates.
@Suite("Service proxy (nftables)", .serialized,
       .enabled(if: getuid() == 0 && NFTables.path != nil, "needs root and nft (apt-get install nftables)"))
struct ServiceProxyTests {
    static func withNetwork(pods: Int, _ body: (ProxyTestNetwork, ServiceProxy) throws -> Void) throws {
        let network = try ProxyTestNetwork()
        let proxy = ServiceProxy(table: "skiff-test-\(network.tag)")
        defer {
            proxy.remove()
            network.tearDown()
        }
        ServiceProxy.prepareKernel()
        for index in 1...pods { try network.addPod(index) }
        try body(network, proxy)
    }

    static func service(_ network: ProxyTestNetwork, _ index: Int, pods: [Int], nodePort: Int? = nil,
                        affinity: Int? = nil, name: String = "web") -> ProxyService {
        ProxyService(namespace: "default", name: "\(name)\(index)", clusterIPs: [network.serviceIP(index)],
                     ports: [.init(name: "http", protocol: "TCP", port: 80, nodePort: nodePort)],
                     endpoints: ["http": pods.map { .init(ip: network.podIP($0), port: 8080) }],
                     clientIPAffinitySeconds: affinity)
    }

    @Test("a ClusterIP spreads 300 connections over three endpoints, each within 20% of a third")
    func balances() throws {
        try Self.withNetwork(pods: 3) { network, proxy in
            try proxy.sync([Self.service(network, 0, pods: [1, 2, 3])])
            var counts: [String: Int] = [:]
            for _ in 0..<300 { counts[try network.connect(ip: network.serviceIP(0), port: 80), default: 0] += 1 }
            #expect(Set(counts.keys) == ["pod-1", "pod-2", "pod-3"])
            for (pod, count) in counts { #expect((80...120).contains(count), "\(pod): \(count) of 300") }
        }
    }

    @Test("a service without endpoints refuses at once; an endpoint removed by a delta update leaves the rotation")
    func rejectAndDelta() throws {
        try Self.withNetwork(pods: 3) { network, proxy in
            try proxy.sync([Self.service(network, 0, pods: [1, 2, 3]), Self.service(network, 1, pods: [])])
            // Refused (a TCP reset), not left to time out.
            let refused = #expect(throws: ProxyConnectError.self) { _ = try network.connect(ip: network.serviceIP(1), port: 80) }
            #expect(refused?.errno == ECONNREFUSED)
            try proxy.sync([Self.service(network, 0, pods: [1, 3]), Self.service(network, 1, pods: [2])])
            var seen: Set<String> = []
            for _ in 0..<60 { seen.insert(try network.connect(ip: network.serviceIP(0), port: 80)) }
            #expect(seen == ["pod-1", "pod-3"])
            #expect(try network.connect(ip: network.serviceIP(1), port: 80) == "pod-2")
        }
    }

    @Test("a NodePort answers on 127.0.0.1 and the node's address")
    func nodePort() throws {
        try Self.withNetwork(pods: 2) { network, proxy in
            let port = Int.random(in: 30000...32767)
            try proxy.sync([Self.service(network, 0, pods: [1, 2], nodePort: port)])
            var seen: Set<String> = []
            for _ in 0..<40 { seen.insert(try network.connect(ip: "127.0.0.1", port: port)) }
            #expect(seen == ["pod-1", "pod-2"])
            #expect(["pod-1", "pod-2"].contains(try network.connect(ip: network.gateway, port: port)))
        }
    }

    @Test("hairpin: a pod reaches itself through its own service")
    func hairpin() throws {
        try Self.withNetwork(pods: 1) { network, proxy in
            try proxy.sync([Self.service(network, 0, pods: [1])])
            #expect(try network.connect(ip: network.serviceIP(0), port: 80, from: network.namespaces[0]) == "pod-1")
        }
    }

    @Test("sessionAffinity ClientIP keeps one client on one endpoint")
    func affinity() throws {
        try Self.withNetwork(pods: 3) { network, proxy in
            try proxy.sync([Self.service(network, 0, pods: [1, 2, 3], affinity: 600)])
            var seen: Set<String> = []
            for _ in 0..<30 { seen.insert(try network.connect(ip: network.serviceIP(0), port: 80)) }
            #expect(seen.count == 1, "\(seen)")
        }
    }

    @Test("removing the table leaves no trace")
    func removal() throws {
        try Self.withNetwork(pods: 1) { network, proxy in
            try proxy.sync([Self.service(network, 0, pods: [1])])
            #expect(NFTables.tableExists(proxy.table))
            proxy.remove()
            #expect(!NFTables.tableExists(proxy.table))
        }
    }
}
