import APIModel
@testable import APIServer
import Testing

/// Services get their cluster IP and node ports from the apiserver, claimed in the store.
@Suite("Service address allocation")
struct RESTServiceAllocationTests {
    static func service(_ name: String, type: String = "ClusterIP", clusterIP: String? = nil, nodePort: Int64? = nil) -> JSONValue {
        var port: JSONValue = ["name": "http", "port": 80, "protocol": "TCP"]
        if let nodePort { port.modify("nodePort") { $0 = .int(nodePort) } }
        var spec: JSONValue = ["type": .string(type), "selector": ["app": .string(name)], "ports": [port]]
        if let clusterIP { spec.modify("clusterIP") { $0 = .string(clusterIP) } }
        return ["apiVersion": "v1", "kind": "Service", "metadata": ["name": .string(name)], "spec": spec]
    }

    @Test("cluster IPs are distinct addresses of 10.43.0.0/16, never .1 or .10; NodePorts get ports in 30000-32767")
    func allocates() async throws {
        try await withRESTHandler { h in
            var ips: Set<String> = []
            for index in 0..<20 {
                let created = try await h.handle(request(.create, R.services, body: Self.service("s\(index)")))
                let ip = try #require(created.body["spec"]?["clusterIP"]?.stringValue)
                #expect(ip.hasPrefix("10.43."))
                #expect(ip != "10.43.0.1" && ip != "10.43.0.10")
                #expect(created.body["spec"]?["clusterIPs"] == [.string(ip)])
                ips.insert(ip)
            }
            #expect(ips.count == 20)
            let nodePort = try await h.handle(request(.create, R.services, body: Self.service("np", type: "NodePort")))
            let port = try #require(nodePort.body["spec"]?["ports"]?[0]?["nodePort"]?.intValue)
            #expect((30000...32767).contains(port))
            let headless = try await h.handle(request(.create, R.services, body: Self.service("hl", clusterIP: "None")))
            #expect(headless.body["spec"]?["clusterIP"] == "None")
        }
    }

    @Test("a requested IP or port already taken is 422 naming the field; deleting a service frees both")
    func conflictsAndRelease() async throws {
        try await withRESTHandler { h in
            _ = try await h.handle(request(.create, R.services,
                                           body: Self.service("a", type: "NodePort", clusterIP: "10.43.5.5", nodePort: 30555)))
            let sameIP = try await expectAPIError(h, request(.create, R.services, body: Self.service("b", clusterIP: "10.43.5.5")), code: 422)
            #expect(sameIP.status["message"]?.stringValue?.contains("spec.clusterIPs") == true)
            #expect(sameIP.status["message"]?.stringValue?.contains("already allocated") == true)
            let samePort = try await expectAPIError(h, request(.create, R.services,
                                                               body: Self.service("c", type: "NodePort", nodePort: 30555)), code: 422)
            #expect(samePort.status["message"]?.stringValue?.contains("spec.ports[0].nodePort") == true)
            let outside = try await expectAPIError(h, request(.create, R.services, body: Self.service("d", clusterIP: "192.168.1.1")), code: 422)
            #expect(outside.status["message"]?.stringValue?.contains("not in the valid range") == true)
            // A failed create gave back what it had claimed: c's cluster IP is free, nothing leaks.
            _ = try await h.handle(request(.delete, R.services, name: "a"))
            let reuse = try await h.handle(request(.create, R.services,
                                                   body: Self.service("e", type: "NodePort", clusterIP: "10.43.5.5", nodePort: 30555)))
            #expect(reuse.code == 201)
        }
    }
}
