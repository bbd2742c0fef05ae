import Cluster
import Foundation
import Testing

/// `skiff server` itself: options, restart on the same data directory, and three servers
/// founding one store.
@Suite(.serialized)
struct ServerTests {
    @Test("server options name the flag to fix")
    func optionChecks() throws {
        var options = ServerOptions(clusterName: "dev", dataDirectory: "/tmp/x", memberName: "m")
        try options.validate()
        #expect(ServerOptions(clusterName: "dev").dataDirectory == "/var/lib/skiff/dev")
        options.clusterName = "Bad_Name"
        #expect(throws: ClusterError.self) { try options.validate() }
        options.clusterName = "dev"
        options.initialCluster = "m=127.0.0.1:2380"
        options.join = "http://127.0.0.1:2379"
        #expect(throws: ClusterError.self) { try options.validate() }
        options.join = nil
        options.electionTimeoutMilliseconds = 150
        #expect(throws: ClusterError.self) { try options.validate() }
    }

    @Test("a restarted server keeps its CA, kubeconfig identity and objects",
          .enabled(if: KubectlVersion.everythingPresent, KubectlVersion.skipReason))
    func restartKeepsState() async throws {
        let version = KubectlVersion.all.last ?? KubectlVersion(minor: 33)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-restart-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: root) }
        let fixed = root.appendingPathComponent("kept")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try await SkiffServer.with(dataDirectory: fixed) { server in
            let kubectl = try Kubectl(version, server: server)
            try await kubectl.seed("/api/v1/namespaces/default/configmaps", Manifests.configMap("survivor", data: ["a": "1"]))
        }
        // The first server was SIGKILLed: a crash, which the store's WAL must survive.
        try await SkiffServer.with(dataDirectory: fixed) { server in
            let kubectl = try Kubectl(version, server: server)
            let ca = try String(contentsOf: fixed.appendingPathComponent("pki/ca.crt"), encoding: .utf8)
            #expect(!ca.isEmpty)
            let survivor = try await kubectl.json(["get", "cm", "survivor"])
            #expect(survivor?["data", "a"]?.string == "1", "the object written before the restart is still there")
        }
    }

    @Test("three servers found one store: a write through one apiserver is read through another",
          .enabled(if: KubectlVersion.everythingPresent, KubectlVersion.skipReason))
    func threeMembers() async throws {
        let version = KubectlVersion.all.last ?? KubectlVersion(minor: 33)
        try await SkiffServer.withMembers(3) { servers in
            let first = try Kubectl(version, server: servers[0])
            try await first.seed("/api/v1/namespaces/default/configmaps", Manifests.configMap("shared", data: ["from": "m0"]))
            for server in servers.dropFirst() {
                let other = try Kubectl(version, server: server)
                let seen = try await other.json(["get", "cm", "shared"])
                #expect(seen?["data", "from"]?.string == "m0", "\(server.url) serves what \(servers[0].url) wrote")
            }
        }
    }
}
