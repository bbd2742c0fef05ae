#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import ImageStore
import OCI
import Testing

let haveRegistryTools = which("docker-registry") && which("skopeo")

/// The pull/push client against a real `docker-registry`, with images put there by `skopeo`.
@Suite(.enabled(if: haveRegistryTools, "needs docker-registry and skopeo"), .serialized)
struct RegistryClientTests {
    /// Pushes the sample image with skopeo; returns the manifest digest the registry serves.
    func skopeoPush(_ archive: String, to dest: String) throws -> Digest {
        var (rc, out) = try run(["skopeo", "copy", "--quiet", "--dest-tls-verify=false", "oci-archive:\(archive)", "docker://\(dest)"])
        #expect(rc == 0, "\(out)")
        (rc, out) = try run(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(dest)"])
        #expect(rc == 0, "\(out)")
        return try Digest.sha256(of: Array(out.utf8))
    }

    @Test func pullPushedBySkopeoWithIdenticalDigests() async throws {
        let tmp = TempDir("pull")
        defer { tmp.cleanup() }
        let registry = try DockerRegistry(in: tmp)
        defer { registry.stop() }
        let archive = try buildSampleArchive(in: tmp)
        let served = try skopeoPush(archive, to: "\(registry.host)/team/sample:v1")

        let store = try ImageStore(root: tmp.sub("store"))
        let client = RegistryClient(store: store)
        let ref = try store.reference("\(registry.host)/team/sample:v1")
        let result: PullResult
        do { result = try await client.pull(ref) } catch { try await client.shutdown(); throw error }
        #expect(result.target.digest == served)
        #expect(result.fetchedBlobs == 3)
        let image = try store.image("\(registry.host)/team/sample:v1")

        // The same digests as the archive skopeo pushed.
        let local = try ImageStore(root: tmp.sub("local"))
        let fromArchive = try local.image(try local.load(archive: archive)[0].name ?? "")
        #expect(image.manifest.layers.map(\.digest) == fromArchive.manifest.layers.map(\.digest))
        #expect(image.configDigest == fromArchive.configDigest)
        let paths = try store.unpack(image)
        #expect(try String(contentsOfFile: "\(paths[1])/app.txt", encoding: .utf8) == "app v1\n")

        // By digest; nothing is fetched twice.
        let byDigest = try store.reference("\(registry.host)/team/sample@\(served)")
        let again = try await client.pull(byDigest)
        #expect(again.target.digest == served)
        #expect(again.fetchedBlobs == 0)

        // Unknown tags give a clear error.
        do {
            _ = try await client.pull(try store.reference("\(registry.host)/team/sample:nope"))
            Issue.record("pulled a tag that does not exist")
        } catch {
            #expect("\(error)".contains("MANIFEST_UNKNOWN") || "\(error)".contains("404"), "\(error)")
        }
        try await client.shutdown()
    }

    @Test func pushThenSkopeoSeesTheSameImage() async throws {
        let tmp = TempDir("push")
        defer { tmp.cleanup() }
        let registry = try DockerRegistry(in: tmp)
        defer { registry.stop() }
        let store = try ImageStore(root: tmp.sub("store"))
        let loaded = try store.load(archive: try buildSampleArchive(in: tmp))
        let client = RegistryClient(store: store)
        do {
            let dest = try store.reference("\(registry.host)/pushed/sample:v1")
            let pushed = try await client.push("sample:latest", to: dest)
            #expect(pushed.digest == loaded[0].target.digest)
            let (rc, out) = try run(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(dest)"])
            #expect(rc == 0, "\(out)")
            #expect(try Digest.sha256(of: Array(out.utf8)) == pushed.digest)

            // Pull it back under its registry name, then push to another repository of the same
            // registry: blobs are mounted or skipped, the manifest digest is unchanged.
            _ = try await client.pull(dest)
            let other = try store.reference("\(registry.host)/other/copy:v2")
            let second = try await client.push(dest.description, to: other)
            #expect(second.digest == pushed.digest)
            let (rc2, out2) = try run(["skopeo", "inspect", "--tls-verify=false", "docker://\(other)"])
            #expect(rc2 == 0, "\(out2)")
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    @Test func bearerTokenFlowAndResumedDownloads() async throws {
        let tmp = TempDir("token")
        defer { tmp.cleanup() }
        let registry = try DockerRegistry(in: tmp)
        defer { registry.stop() }
        let archive = try buildSampleArchive(in: tmp)
        let served = try skopeoPush(archive, to: "\(registry.host)/auth/sample:v1")
        let proxy = try TokenProxy(in: tmp, backend: registry.host, truncate: true)
        defer { proxy.stop() }

        let store = try ImageStore(root: tmp.sub("store"))
        let client = RegistryClient(store: store, options: RegistryClientOptions(concurrency: 2))
        let result: PullResult
        do { result = try await client.pull(try store.reference("\(proxy.host)/auth/sample:v1")) } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
        #expect(result.target.digest == served)
        let reqs = proxy.requests
        #expect(reqs.contains { $0.hasPrefix("GET /v2/auth/sample/manifests/v1") && $0.hasSuffix("auth=no") }, "first try is anonymous")
        #expect(reqs.contains { $0.hasPrefix("GET /token?") && $0.contains("scope=repository:auth/sample:pull,push") && $0.contains("service=skiff-test") },
                "token fetched for the challenge's service and scope: \(reqs)")
        #expect(reqs.contains { $0.hasPrefix("GET /v2/auth/sample/manifests/v1") && $0.hasSuffix("auth=yes") })
        let resumed = reqs.filter { $0.contains("/blobs/sha256:") && $0.contains("range=bytes=") }
        #expect(resumed.count == 3, "every truncated blob download was resumed with Range: \(reqs)")
        let image = try store.image("\(proxy.host)/auth/sample:v1")
        for l in image.manifest.layers { try store.content.verify(l.digest) }
        #expect(FS.listDir("\(store.root)/ingest").filter { $0.hasSuffix(".partial") }.isEmpty)
        _ = try store.unpack(image)
    }

    @Test func resumesFromAPartialFileLeftByAnEarlierRun() async throws {
        let tmp = TempDir("resume")
        defer { tmp.cleanup() }
        let registry = try DockerRegistry(in: tmp)
        defer { registry.stop() }
        let archive = try buildSampleArchive(in: tmp)
        _ = try skopeoPush(archive, to: "\(registry.host)/r/sample:v1")
        let proxy = try TokenProxy(in: tmp, backend: registry.host, truncate: false)
        defer { proxy.stop() }

        // An earlier, interrupted run left the first half of the biggest layer.
        let local = try ImageStore(root: tmp.sub("local"))
        let image = try local.image(try local.load(archive: archive)[0].name ?? "")
        let layer = image.manifest.layers.max { $0.size < $1.size }!
        let full = try FS.readFile(local.content.path(for: layer.digest))
        let store = try ImageStore(root: tmp.sub("store"))
        let half = Array(full.prefix(full.count / 2))
        FileManager.default.createFile(atPath: store.content.partialPath(for: layer.digest), contents: Data(half))

        let client = RegistryClient(store: store)
        do { _ = try await client.pull(try store.reference("\(proxy.host)/r/sample:v1")) } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
        let blobGets = proxy.requests.filter { $0.hasPrefix("GET /v2/r/sample/blobs/\(layer.digest)") && $0.hasSuffix("auth=yes") }
        #expect(blobGets.count == 1)
        #expect(blobGets.first?.contains("range=bytes=\(half.count)-") == true, "\(blobGets)")
        try store.content.verify(layer.digest)
    }

    @Test func clearErrorWhenNothingListens() async throws {
        let store = try ImageStore(root: TempDir("noreg").path)
        defer { FS.removeTree(store.root) }
        let client = RegistryClient(store: store, options: RegistryClientOptions(connectTimeoutSeconds: 2))
        let port = try freeLoopbackPort()
        do {
            _ = try await client.pull(try store.reference("127.0.0.1:\(port)/x:y"))
            Issue.record("pull from nowhere succeeded")
        } catch {
            #expect("\(error)".contains("127.0.0.1:\(port)"), "\(error)")
        }
        try await client.shutdown()
    }

    @Test func challengeParsing() {
        let c = AuthChallenge(#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull""#)
        #expect(c?.scheme == "bearer")
        #expect(c?.parameters["realm"] == "https://auth.example/token")
        #expect(c?.parameters["service"] == "registry.example")
        #expect(c?.parameters["scope"] == "repository:a/b:pull")
        #expect(AuthChallenge("Basic realm=x")?.parameters["realm"] == "x")
    }
}
