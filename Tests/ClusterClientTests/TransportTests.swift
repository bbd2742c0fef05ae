import APIModel
import ClusterClient
import ClusterTestSupport
import Synchronization
import Testing

@Suite("ClusterClient transport: rate limit and many concurrent requests")
struct TransportTests {
    @Test("queriesPerSecond and burst pace requests on the client side")
    func rateLimit() async throws {
        try await withTestCluster { cluster in
            let limited = try ClusterClient(connection: cluster.connection, userAgent: "limited", queriesPerSecond: 20, burst: 5)
            let clock = ContinuousClock()
            let start = clock.now
            for _ in 0..<25 { _ = try await limited.get(.namespaces, name: "default") }
            // Five from the burst, twenty more at 20 per second: about a second.
            #expect(clock.now - start >= .milliseconds(900))
            try await limited.shutdown()
        }
    }

    @Test("a thousand concurrent creates and bindings all succeed over the connection pool")
    func concurrentRequests() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            _ = try await client.create(.nodes, Fixtures.node("busy-node"))
            let count = 1000
            let clock = ContinuousClock()
            let start = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<count {
                    group.addTask {
                        let name = "many-\(index)"
                        _ = try await client.create(.pods, Fixtures.pod(name))
                        let binding: JSONValue = ["apiVersion": "v1", "kind": "Binding",
                                                  "metadata": ["name": .string(name), "namespace": "default"],
                                                  "target": ["apiVersion": "v1", "kind": "Node", "name": "busy-node"]]
                        _ = try await client.create(.pods, namespace: "default", binding, name: name, subresource: "binding")
                    }
                }
                try await group.waitForAll()
            }
            let elapsed = clock.now - start
            let pods = try await client.listAll(.pods, namespace: "default", options: ListOptions(fieldSelector: "spec.nodeName=busy-node"))
            #expect(pods.items.count == count)
            print("\(2 * count) requests (create + bind) in \(elapsed)")
        }
    }
}

@Suite("ClusterClient lifetime")
struct ClientLifetimeTests {
    @Test("a client dropped without shutdown closes its pools instead of trapping")
    func droppedClient() async throws {
        try await withTestCluster { cluster in
            do {
                let client = try cluster.makeClient(userAgent: "dropped")
                _ = try await client.get(.namespaces, name: "default")
            }
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await cluster.client.get(.namespaces, name: "default").name == "default")
        }
    }
}
