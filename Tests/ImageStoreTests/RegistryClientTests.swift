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
    func skopeoPush(_ archive: String, to dest: String) async throws -> Digest {
        var (rc, out) = try await runAsync(["skopeo", "copy", "--quiet", "--dest-tls-verify=false", "oci-archive:\(archive)", "docker://\(dest)"])
        #expect(rc == 0, "\(out)")
        (rc, out) = try await runAsync(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(dest)"])
        #expect(rc == 0, "\(out)")
        return try Digest.sha256(of: Array(out.utf8))
    }

    @Test func pullPushedBySkopeoWithIdenticalDigests() async throws {
        let tmp = TempDir("pull")
        defer { tmp.cleanup() }
        let registry = try DockerRegistry(in: tmp)
        defer { registry.stop() }
        let archive = try buildSampleArchive(in: tmp)
        let served = try await skopeoPush(archive, to: "\(registry.host)/team/sample:v1")

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

        // A layer that rots on disk is noticed by the next pull and fetched again.
        let layer = image.manifest.layers[1].digest
        var bytes = try FS.readFile(store.content.path(for: layer))
        bytes[bytes.count / 2] ^= 0x01
        try FS.atomicWrite(bytes, to: store.content.path(for: layer))
        let repaired = try await client.pull(ref)
        #expect(repaired.fetchedBlobs == 1)
        try store.content.verify(layer)

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
            let (rc, out) = try await runAsync(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(dest)"])
            #expect(rc == 0, "\(out)")
            #expect(try Digest.sha256(of: Array(out.utf8)) == pushed.digest)

            // Pull it back under its registry name, then push to another repository of the same
            // registry: blobs are mounted or skipped, the manifest digest is unchanged.
            _ = try await client.pull(dest)
            let other = try store.reference("\(registry.host)/other/copy:v2")
            let second = try await client.push(dest.description, to: other)
            #expect(second.digest == pushed.digest)
            let (rc2, out2) = try await runAsync(["skopeo", "inspect", "--tls-verify=false", "docker://\(other)"])
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
        let served = try await skopeoPush(archive, to: "\(registry.host)/auth/sample:v1")
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
        _ = try await skopeoPush(archive, to: "\(registry.host)/r/sample:v1")
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

    @Test func multiPlatformIndexResolvesToTheHostPlatform() async throws {
        let tmp = TempDir("index")
        defer { tmp.cleanup() }
        let registry = try DockerRegistry(in: tmp)
        defer { registry.stop() }
        // Two single-platform images, one for this machine and one for another architecture,
        // joined by an index.
        let local = try ImageStore(root: tmp.sub("local"))
        let host = try storeImage(local, name: "host:latest", layers: [try makeTar([file("arch", "host")])])
        let other = Platform(architecture: Platform.host.architecture == "amd64" ? "arm64" : "amd64", os: "linux")
        let otherLayer = try makeTar([file("arch", "other")])
        let gz = try gzip(otherLayer)
        let ld = try local.content.write(gz)
        var otherConfig = ImageConfig(architecture: other.architecture, os: "linux", config: nil,
                                      rootfs: .init(diffIDs: [try Digest.sha256(of: otherLayer)]))
        otherConfig.variant = other.variant
        let cb = try canonicalJSON(otherConfig)
        let cd = try local.content.write(cb)
        let mb = try canonicalJSON(Manifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: cd, size: Int64(cb.count)),
                                            layers: [Descriptor(mediaType: MediaType.ociLayerGzip, digest: ld, size: Int64(gz.count))]))
        let md = try local.content.write(mb)
        let index = Index(manifests: [
            Descriptor(mediaType: MediaType.ociManifest, digest: md, size: Int64(mb.count), platform: other),
            Descriptor(mediaType: MediaType.ociManifest, digest: host.digest, size: host.size, platform: .host),
        ])
        let ib = try canonicalJSON(index)
        let id = try local.content.write(ib)
        try local.tag(try local.reference("multi:latest"), target: Descriptor(mediaType: MediaType.ociIndex, digest: id, size: Int64(ib.count)))
        let archive = "\(tmp.path)/multi.tar"
        try local.export(["multi:latest"], to: archive)
        let (rc, out) = try await runAsync(["skopeo", "copy", "--quiet", "--all", "--dest-tls-verify=false", "oci-archive:\(archive)",
                                 "docker://\(registry.host)/multi:latest"])
        #expect(rc == 0, "\(out)")

        let store = try ImageStore(root: tmp.sub("store"))
        let client = RegistryClient(store: store)
        let result: PullResult
        do { result = try await client.pull(try store.reference("\(registry.host)/multi:latest")) } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
        #expect(result.target.digest == id, "the name points at the index")
        #expect(result.manifest.digest == host.digest, "the host platform's manifest was chosen")
        #expect(!store.content.contains(md), "the other platform was not fetched")
        let paths = try store.unpack(try store.image("\(registry.host)/multi:latest"))
        #expect(try String(contentsOfFile: "\(paths[0])/arch", encoding: .utf8) == "host")
    }

    @Test func pushSkipsBlobsTheRegistryHasAndMountsAcrossRepositories() async throws {
        let tmp = TempDir("pushauth")
        defer { tmp.cleanup() }
        let registry = try DockerRegistry(in: tmp)
        defer { registry.stop() }
        let proxy = try TokenProxy(in: tmp, backend: registry.host, truncate: false)
        defer { proxy.stop() }
        let store = try ImageStore(root: tmp.sub("store"))
        _ = try store.load(archive: try buildSampleArchive(in: tmp))
        let client = RegistryClient(store: store)
        do {
            let first = try store.reference("\(proxy.host)/p/one:v1")
            try await client.push("sample:latest", to: first)
            let uploadsBefore = proxy.requests.filter { $0.hasPrefix("PUT /v2/p/one/blobs/uploads/") && $0.hasSuffix("auth=yes") }
            #expect(uploadsBefore.count == 3, "config and two layers uploaded: \(proxy.requests)")
            #expect(proxy.requests.contains { $0.hasPrefix("GET /token?") && $0.contains("p/one:pull,push") })

            // Again: every blob is found by HEAD, nothing is uploaded.
            try await client.push("sample:latest", to: first)
            let uploadsAfter = proxy.requests.filter { $0.hasPrefix("PUT /v2/p/one/blobs/uploads/") }
            #expect(uploadsAfter.count == uploadsBefore.count)

            // From a local image named on this registry to another repository: blobs are mounted.
            _ = try await client.pull(first)
            try await client.push(first.description, to: try store.reference("\(proxy.host)/p/two:v1"))
            let mounts = proxy.requests.filter { $0.hasPrefix("POST /v2/p/two/blobs/uploads/?mount=") && $0.contains("from=p/one") && $0.hasSuffix("auth=yes") }
            #expect(mounts.count == 3, "\(proxy.requests)")
            #expect(!proxy.requests.contains { $0.hasPrefix("PUT /v2/p/two/blobs/uploads/") })
            let (rc, out) = try await runAsync(["skopeo", "inspect", "--raw", "--tls-verify=false", "docker://\(registry.host)/p/two:v1"])
            #expect(rc == 0, "\(out)")
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
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
