import APIModel
import ClusterClient
import ClusterTestSupport
import Foundation
import Testing

@Suite("Kubeconfig loading")
struct KubeconfigTests {
    @Test("the test cluster's admin kubeconfig works for the client and for real kubectl")
    func adminKubeconfig() async throws {
        try await withTestCluster { cluster in
            let connection = try ClusterConnection.fromKubeconfig(path: cluster.kubeconfigPath)
            #expect(connection.server == "https://127.0.0.1:\(cluster.port)")
            #expect(connection.identity != nil)
            let client = try ClusterClient(connection: connection, userAgent: "kubeconfig-test")
            let namespaces = try await client.listAll(.namespaces)
            #expect(namespaces.items.map(\.name).contains("default"))
            try await client.shutdown()

            let kubectl = try runProcess("/usr/bin/env", ["kubectl", "--kubeconfig", cluster.kubeconfigPath, "get", "ns", "-o", "name"])
            #expect(kubectl.status == 0, "\(kubectl.output)")
            #expect(kubectl.output.contains("namespace/default"))
        }
    }

    @Test("file paths relative to the kubeconfig and a bearer token")
    func filePathsAndToken() async throws {
        try await withTestCluster { cluster in
            let directory = cluster.directory + "/relative"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try cluster.pki.ca.identity.certificatePEM().write(toFile: directory + "/ca.crt", atomically: true, encoding: .utf8)
            try cluster.token.write(toFile: directory + "/token", atomically: true, encoding: .utf8)
            let text = """
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
                server: https://127.0.0.1:\(cluster.port)
                certificate-authority: ca.crt
            users:
            - name: u
              user:
                tokenFile: token
            contexts:
            - name: other
              context: {cluster: c, user: missing}
            - name: ctx
              context: {cluster: c, user: u}
            current-context: other
            """
            try text.write(toFile: directory + "/config", atomically: true, encoding: .utf8)
            let connection = try ClusterConnection.fromKubeconfig(path: directory + "/config", context: "ctx")
            #expect(connection.bearerToken == cluster.token)
            #expect(connection.identity == nil)
            let client = try ClusterClient(connection: connection, userAgent: "token-test")
            let list = try await client.list(.namespaces)
            #expect(!list.items.isEmpty)
            try await client.shutdown()
            #expect(throws: ClientError.self) { try ClusterConnection.fromKubeconfig(path: directory + "/config") }
            #expect(throws: ClientError.self) { try ClusterConnection.fromKubeconfig(path: directory + "/absent") }
        }
    }
}
