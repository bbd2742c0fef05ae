import Foundation
import KVStore
import PKI
import Testing

/// `skiff store run` with the peer TLS flags, as real processes: PEM files from a peer CA
/// on disk, three members replicating over mutual TLS; and the data-directory lock between
/// processes.
@Suite("Cluster processes with peer TLS", .serialized)
struct ClusterTLSProcessTests {
    static let binary = ClusterHarness.skiffBinary

    @Test(
        "three members started with --peer-cert-file/--peer-key-file/--peer-trusted-ca-file replicate; a second process on a member's data directory is refused",
        .enabled(if: binary != nil, "the skiff executable is not built next to the tests (swift build --product skiff)"),
        .timeLimit(.minutes(2)))
    func tlsProcessesReplicate() async throws {
        let harness = try ClusterHarness(binary: try #require(Self.binary), memberCount: 3)
        defer { harness.shutdown() }
        let certificates = try PeerCertificates()
        let leaf = try certificates.leaf("member")
        let pem = harness.root.appendingPathComponent("pem")
        try FileManager.default.createDirectory(at: pem, withIntermediateDirectories: true)
        try leaf.certificatePEM().write(to: pem.appendingPathComponent("peer.crt"), atomically: true, encoding: .utf8)
        try leaf.privateKeyPEM().write(to: pem.appendingPathComponent("peer.key"), atomically: true, encoding: .utf8)
        try certificates.ca.identity.certificatePEM().write(
            to: pem.appendingPathComponent("ca.crt"), atomically: true, encoding: .utf8)
        harness.extraArguments = [
            "--peer-cert-file", pem.appendingPathComponent("peer.crt").path,
            "--peer-key-file", pem.appendingPathComponent("peer.key").path,
            "--peer-trusted-ca-file", pem.appendingPathComponent("ca.crt").path,
        ]
        try harness.startAll()
        try await harness.waitUntilWritable()
        let clients = harness.endpoints.map { GatewayClient(endpoints: [$0], timeout: .seconds(5)) }
        _ = try await clients[0].put(KV.PutRequest(key: Array("tls/key".utf8), value: Array("replicated".utf8)))
        for client in clients {
            let got = try await client.range(KV.RangeRequest(key: Array("tls/key".utf8)))
            #expect(got.kvs.first?.value == Array("replicated".utf8))
        }

        // A second process on m1's data directory exits at once, naming the running one.
        let member = try #require(harness.member("m1"))
        let process = Process()
        process.executableURL = harness.binary
        process.arguments = [
            "store", "run", "--name", "m1", "--data-dir", member.dataDirectory.path,
            "--listen-client", "http://127.0.0.1:\(try ClusterHarness.freePort())",
            // Same peer address (it must match --initial-cluster); the lock is taken before binding.
            "--listen-peer", "127.0.0.1:\(member.peerPort)",
            "--initial-cluster", harness.initialCluster,
        ] + harness.extraArguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus != 0)
        #expect(text.contains("is in use by process"), "\(text)")
    }
}
