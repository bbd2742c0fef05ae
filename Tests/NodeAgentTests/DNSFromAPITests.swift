import APIModel
import ClusterClient
import ClusterTestSupport
import Foundation
import Testing
@testable import NodeAgent

/// Cluster DNS fed by the real API: Services and EndpointSlices written through the apiserver
/// show up as answers to real `dig`, and changes follow.
@Suite("Cluster DNS from the API", .serialized, .enabled(if: DNSTestSupport.digPath != nil, "needs dig (apt-get install bind9-dnsutils)"))
struct DNSFromAPITests {
    static func service(_ name: String, clusterIP: String, ports: JSONValue) -> JSONValue {
        ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name), "namespace": "default"],
         "spec": ["clusterIP": .string(clusterIP), "selector": ["app": .string(name)], "ports": ports]]
    }

    static func slice(_ service: String, endpoints: [(ip: String, hostname: String?, ready: Bool)]) -> JSONValue {
        var list: [JSONValue] = []
        for endpoint in endpoints {
            var entry: JSONValue = ["addresses": [.string(endpoint.ip)], "conditions": ["ready": .bool(endpoint.ready)]]
            if let hostname = endpoint.hostname { entry.modify("hostname") { $0 = .string(hostname) } }
            list.append(entry)
        }
        return ["apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": ["name": .string(service + "-x1"), "namespace": "default",
                             "labels": ["kubernetes.io/service-name": .string(service)]],
                "addressType": "IPv4", "endpoints": .array(list),
                "ports": [["name": "pg", "port": 5432, "protocol": "TCP"]]]
    }

    @Test("services and slices written through the API answer over DNS; a readiness change follows")
    func followsTheAPI() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            _ = try await client.create(.services, Self.service("api", clusterIP: "10.43.7.7",
                                                                 ports: [["name": "http", "port": 80, "protocol": "TCP"]]))
            _ = try await client.create(.services, Self.service("db", clusterIP: "None", ports: [["name": "pg", "port": 5432]]))
            _ = try await client.create(.endpointSlices, Self.slice("db", endpoints: [("10.42.0.5", "db-0", true),
                                                                                     ("10.42.0.6", "db-1", false)]))
            let informers = InformerFactory(client: client)
            let networking = ServiceNetworking(nodeName: "node-a", informers: informers, proxy: nil)
            let server = ClusterDNSServer(host: "127.0.0.1", port: 0,
                                          responder: ClusterDNSResponder(table: { networking.table }, forwarder: nil))
            let tasks: [Task<Void, Never>] = [Task { await informers.run() }, Task { await networking.run() },
                                              Task { try? await server.run() }]
            defer { tasks.forEach { $0.cancel() } }
            var port: Int?
            for _ in 0..<500 where port == nil || networking.table.lookup("db.default.svc.cluster.local", type: 1).answers.isEmpty {
                port = server.port
                try await Task.sleep(for: .milliseconds(20))
            }
            let dnsPort = try #require(port)
            #expect(try DNSTestSupport.dig(dnsPort, "api.default.svc.cluster.local", "A").answers
                    == ["api.default.svc.cluster.local. 5 IN A 10.43.7.7"])
            #expect(try DNSTestSupport.dig(dnsPort, "db.default.svc.cluster.local", "A").answers
                    == ["db.default.svc.cluster.local. 5 IN A 10.42.0.5"])
            #expect(try DNSTestSupport.dig(dnsPort, "db-0.db.default.svc.cluster.local", "A").answers.count == 1)

            // db-1 becomes ready: it is published.
            var slice = try await client.get(.endpointSlices, namespace: "default", name: "db-x1")
            let ready = Self.slice("db", endpoints: [("10.42.0.5", "db-0", true), ("10.42.0.6", "db-1", true)])["endpoints"]
            slice.modify("endpoints") { $0 = ready }
            _ = try await client.update(.endpointSlices, slice)
            var answers: [String] = []
            for _ in 0..<250 where answers.count < 2 {
                answers = try DNSTestSupport.dig(dnsPort, "db.default.svc.cluster.local", "A").answers
                if answers.count < 2 { try await Task.sleep(for: .milliseconds(20)) }
            }
            #expect(Set(answers) == ["db.default.svc.cluster.local. 5 IN A 10.42.0.5", "db.default.svc.cluster.local. 5 IN A 10.42.0.6"])
            #expect(try DNSTestSupport.dig(dnsPort, "_pg._tcp.db.default.svc.cluster.local", "SRV").answers.count == 2)
            networking.finish()
        }
    }
}
