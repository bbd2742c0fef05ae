import ContainerRuntime
import Foundation
import Logging
@testable import NodeAgent
import OCI
import PKI
import StreamTestSupport
import Testing

let streamTestsNeedRoot = "needs root (a real container through the runtime); the machines and CI run as root"


/// A streaming server on an ephemeral port with a fresh CA, and curl with a client certificate
/// from that CA (and one from a foreign CA) to talk to it.
struct StreamServerFixture {
    let container: StreamTestContainer
    let server: KubeletStreamServer
    let port: Int
    let files: String

    static func with(_ body: (StreamServerFixture) async throws -> Void) async throws {
        let container = try StreamTestContainer.start()
        defer { container.remove() }
        let ca = try CertificateAuthority.generate(namePrefix: "stream-test-ca")
        let foreign = try CertificateAuthority.generate(namePrefix: "foreign-ca")
        let serving = try ca.issue(commonName: "node", usage: .server, servingNames: ServingNames(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"]))
        let client = try ca.issue(commonName: "apiserver", usage: .client)
        let stranger = try foreign.issue(commonName: "stranger", usage: .client)
        let files = container.directory + "/tls"
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
        try ca.identity.certificatePEM().write(toFile: files + "/ca.pem", atomically: true, encoding: .utf8)
        try client.certificatePEM().write(toFile: files + "/client.pem", atomically: true, encoding: .utf8)
        try client.privateKeyPEM().write(toFile: files + "/client-key.pem", atomically: true, encoding: .utf8)
        try stranger.certificatePEM().write(toFile: files + "/stranger.pem", atomically: true, encoding: .utf8)
        try stranger.privateKeyPEM().write(toFile: files + "/stranger-key.pem", atomically: true, encoding: .utf8)
        var logger = Logger(label: "skiff.test.streamserver")
        logger.logLevel = .warning
        let configuration = KubeletConfiguration(nodeName: "node", dataDirectory: container.directory, streamingAddress: "127.0.0.1",
                                                 streamingPort: 0, servingIdentity: serving, clientCAs: [ca.certificate])
        let server = KubeletStreamServer(configuration: configuration, backend: container.backend, logger: logger)
        let task = Task { try await server.run() }
        defer { task.cancel() }
        let port = try await server.listeningPort()
        try await body(StreamServerFixture(container: container, server: server, port: port, files: files))
    }

    /// `curl` against the server; returns the HTTP status, the body, and curl's exit status.
    func curl(_ path: String, identity: String = "client", timeout: Int = 20) throws -> (status: Int, body: String, exit: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        let bodyPath = files + "/body-\(UUID().uuidString.prefix(8))"
        process.arguments = ["-sS", "--max-time", "\(timeout)", "--cacert", files + "/ca.pem",
                             "--cert", files + "/\(identity).pem", "--key", files + "/\(identity)-key.pem",
                             "-o", bodyPath, "-w", "%{http_code}", "https://127.0.0.1:\(port)\(path)"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let code = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let body = (try? String(contentsOfFile: bodyPath, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: bodyPath)
        return (Int(String(decoding: code, as: UTF8.self)) ?? 0, body, process.terminationStatus)
    }
}
