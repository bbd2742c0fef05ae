import Dispatch
import Foundation
@testable import ImageStore
import Logging
import OCI
import Registry
import ServiceLifecycle
import Testing

/// Runs a program off the cooperative pool (the in-process registry's handlers need it).
func runAsync(_ argv: [String]) async throws -> (Int32, String) {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try run(argv) })
        }
    }
}

/// The pull/push client against skiff's own registry (`skiff registry`), run in-process over a
/// real loopback socket the way the cluster server runs it: inside a ServiceGroup.
@Suite(.enabled(if: which("skopeo"), "needs skopeo"))
struct SkiffRegistryTests {
    @Test func pullFromSkiffRegistryWithIdenticalDigests() async throws {
        let tmp = TempDir("skiffreg")
        defer { tmp.cleanup() }
        try await withSkiffRegistry(root: tmp.sub("registry")) { host in
            let archive = try buildSampleArchive(in: tmp)

            // skopeo pushes; skiff pulls; the digests are skopeo's.
            var (rc, out) = try await runAsync(["skopeo", "copy", "--quiet", "--dest-tls-verify=false",
                                                "oci-archive:\(archive)", "docker://\(host)/demo/sample:v1"])
            #expect(rc == 0, "\(out)")
            (rc, out) = try await runAsync(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(host)/demo/sample:v1"])
            #expect(rc == 0, "\(out)")
            let served = try Digest.sha256(of: Array(out.utf8))

            let store = try ImageStore(root: tmp.sub("store"))
            let client = RegistryClient(store: store)
            do {
                let pulled = try await client.pull(try store.reference("\(host)/demo/sample:v1"))
                #expect(pulled.target.digest == served)
                let image = try store.image("\(host)/demo/sample:v1")
                let paths = try store.unpack(image)
                #expect(try String(contentsOfFile: "\(paths[1])/app.txt", encoding: .utf8) == "app v1\n")

                // skiff pushes to skiff's registry (mounting across repositories); skopeo reads it.
                let dest = try store.reference("\(host)/demo/copy:v2")
                let pushed = try await client.push("\(host)/demo/sample:v1", to: dest)
                #expect(pushed.digest == served)
                (rc, out) = try await runAsync(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(dest)"])
                #expect(rc == 0, "\(out)")
                #expect(try Digest.sha256(of: Array(out.utf8)) == served)
            } catch {
                try await client.shutdown()
                throw error
            }
            try await client.shutdown()
        }
    }
}

/// Runs skiff's registry in-process on a free loopback port, inside a ServiceGroup as the
/// cluster server runs it, calls `body` with its `host:port`, and shuts it down gracefully
/// whether `body` returns or throws.
func withSkiffRegistry(root: String, _ body: (String) async throws -> Void) async throws {
    var logger = Logger(label: "skiff.registry")
    logger.logLevel = .warning
    let service = RegistryService(root: root, host: "127.0.0.1", port: 0, logger: logger)
    let group = ServiceGroup(configuration: .init(services: [service], logger: logger))
    try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        do {
            try await body("127.0.0.1:\(try await service.listeningPort())")
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        } catch {
            await group.triggerGracefulShutdown()
            tasks.cancelAll()
            throw error
        }
    }
}
