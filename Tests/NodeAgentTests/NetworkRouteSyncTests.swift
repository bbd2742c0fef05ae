#if canImport(Glibc)
import Glibc
#endif
import APIModel
import ClusterClient
import ClusterTestSupport
import Foundation
import LinuxSystem
import Logging
import Testing
@testable import NodeAgent

/// Node routes kept in step with Node objects, inside a network namespace of the test's own
/// (so the machine's routing table is never touched).
@Suite(.serialized, .enabled(if: runningAsRoot, "\(rootRequired)"))
struct NetworkRouteSyncTests {
    func node(_ name: String, podCIDR: String?, internalIP: String) -> (object: JSONValue, status: JSONValue) {
        var spec: JSONValue = .emptyObject
        if let podCIDR { spec = ["podCIDR": .string(podCIDR), "podCIDRs": [.string(podCIDR)]] }
        return (["apiVersion": "v1", "kind": "Node", "metadata": ["name": .string(name)], "spec": spec],
                ["addresses": [["type": "InternalIP", "address": .string(internalIP)], ["type": "Hostname", "address": .string(name)]]])
    }

    func createNode(_ client: ClusterClient, _ name: String, podCIDR: String?, internalIP: String) async throws {
        let (object, status) = node(name, podCIDR: podCIDR, internalIP: internalIP)
        var created = try await client.create(.nodes, object)
        created["status"] = status
        _ = try await client.update(.nodes, created, subresource: "status")
    }

    @Test func routesFollowNodesAndGoAway() async throws {
        let test = SandboxTestNode.make()
        let directory = test.configuration.dataDirectory
        let netns = directory + "/routes.ns"
        try Files.makeDirectories(directory)
        defer {
            try? PersistentNamespaces.remove(netns)
            try? FileManager.default.removeItem(atPath: directory)
        }
        try await PersistentNamespaces.create([.network], at: [.network: netns], hostname: nil)
        // The other nodes' addresses are on a link inside the namespace (a veth pair: the
        // dummy driver is not on every machine).
        let ip: @Sendable ([String]) async throws -> String = { arguments in
            try await CommandRunner.check("/usr/bin/nsenter", ["--net=" + netns, "/usr/sbin/ip"] + arguments)
        }
        try await ip(["link", "add", "nodes0", "type", "veth", "peer", "name", "nodes1"])
        try await ip(["link", "set", "nodes1", "up"])
        try await ip(["addr", "add", "192.168.77.1/24", "dev", "nodes0"])
        try await ip(["link", "set", "nodes0", "up"])
        let octet = test.cidrThirdOctet

        try await withTestCluster { cluster in
            let client = cluster.client
            try await createNode(client, test.configuration.nodeName, podCIDR: test.cidr, internalIP: "192.168.77.1")
            try await createNode(client, "other-1", podCIDR: "10.251.\(octet).0/24", internalIP: "192.168.77.2")
            try await createNode(client, "no-cidr", podCIDR: nil, internalIP: "192.168.77.3")

            var configuration = test.configuration
            configuration.nodeIP = "192.168.77.1"
            let informers = InformerFactory(client: client)
            let sync = NodeRouteSync(configuration: configuration, client: client, informers: informers,
                                     logger: Logger(label: "test.routes"), networkNamespace: netns, resyncInterval: .milliseconds(200))
            let routes = { () async throws -> String in try await ip(["route", "show"]) }
            let running = Task { await sync.run() }
            let runningInformers = Task { await informers.run() }
            defer { running.cancel(); runningInformers.cancel() }

            try await pollUntil("the route to other-1 appears") { try await routes().contains("10.251.\(octet).0/24 via 192.168.77.2") }
            #expect(try await !routes().contains(test.cidr), "no route to the node's own CIDR")
            let forwarding = try await NamespaceThread.run(inNetworkNamespace: netns) {
                try Files.readString("/proc/sys/net/ipv4/ip_forward")
            }
            #expect(forwarding?.hasPrefix("1") == true)

            // A node joins, another leaves.
            try await createNode(client, "other-2", podCIDR: "10.252.\(octet).0/24", internalIP: "192.168.77.4")
            try await pollUntil("the route to other-2 appears") { try await routes().contains("10.252.\(octet).0/24 via 192.168.77.4") }
            _ = try await client.delete(.nodes, name: "other-1")
            try await pollUntil("the route to other-1 goes") { try await !routes().contains("10.251.\(octet).0/24") }

            // Ending the sync removes what it added.
            running.cancel()
            await running.value
            #expect(try await !routes().contains("10.252.\(octet).0/24"))
            #expect(!FileManager.default.fileExists(atPath: directory + "/network/routes.json"))
        }
    }

    @Test func desiredRoutesSkipTheOwnNodeAndNodesWithoutCIDROrAddress() {
        let nodes: [JSONValue] = [
            ["metadata": ["name": "me"], "spec": ["podCIDR": "10.1.0.0/24"],
             "status": ["addresses": [["type": "InternalIP", "address": "10.0.0.1"]]]],
            ["metadata": ["name": "b"], "spec": ["podCIDRs": ["10.1.1.0/24", "fd00::/64"]],
             "status": ["addresses": [["type": "InternalIP", "address": "fd00::2"], ["type": "InternalIP", "address": "10.0.0.2"]]]],
            ["metadata": ["name": "c"], "spec": .emptyObject, "status": ["addresses": [["type": "InternalIP", "address": "10.0.0.3"]]]],
            ["metadata": ["name": "d"], "spec": ["podCIDR": "10.1.3.0/24"], "status": ["addresses": [["type": "Hostname", "address": "d"]]]],
        ]
        #expect(NodeRouteSync.desiredRoutes(nodes: nodes, ownNodeName: "me", ownAddress: "10.0.0.1")
                == [NodeRouteSync.Route(destination: "10.1.1.0/24", gateway: "10.0.0.2")])
    }
}
