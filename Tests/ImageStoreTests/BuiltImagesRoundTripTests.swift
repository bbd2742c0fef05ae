import Foundation
@testable import ImageStore
import OCI
import Testing

/// The images `Scripts/build-images` produces, carried by the real peer (`skopeo copy`) into
/// skiff's registry and back out again, and pulled by `skiff image pull`: every manifest and
/// layer digest must survive the trip unchanged.
@Suite(.enabled(if: skiffBinary != nil && which("skopeo") && FileManager.default.isExecutableFile(atPath: "/bin/busybox"),
                "needs the skiff executable beside the tests, skopeo and busybox-static"))
struct BuiltImagesRoundTripTests {
    @Test func skopeoPushesAndPullsTheBuiltImagesWithIdenticalDigests() async throws {
        let tmp = TempDir("built-roundtrip")
        defer { tmp.cleanup() }
        let skiff = try #require(skiffBinary)
        var env = ProcessInfo.processInfo.environment
        env["SKIFF"] = skiff
        env["OUT"] = tmp.sub("out")
        let (built, buildLog) = try await runAsync(["/usr/bin/env"] + env.map { "\($0)=\($1)" } + ["\(repositoryRoot)/Scripts/build-images"])
        try #require(built == 0, "Scripts/build-images failed: \(buildLog)")

        try await withSkiffRegistry(root: tmp.sub("registry")) { host in
            for name in ["busybox", "hello"] {
                let archive = "\(tmp.sub("out"))/\(name).oci.tar"
                let original = try await rawManifest("oci-archive:\(archive)")
                let remote = "docker://\(host)/built/\(name):latest"

                var (rc, out) = try await runAsync(["skopeo", "copy", "--quiet", "--dest-tls-verify=false", "oci-archive:\(archive)", remote])
                try #require(rc == 0, "skopeo push of \(name): \(out)")
                let served = try await rawManifest(remote)
                #expect(served == original, "\(name): the registry serves the manifest bytes that were pushed")

                let back = "\(tmp.path)/back-\(name)"
                (rc, out) = try await runAsync(["skopeo", "copy", "--quiet", "--src-tls-verify=false", remote, "oci:\(back):\(name)"])
                try #require(rc == 0, "skopeo pull of \(name): \(out)")
                let pulled = try await rawManifest("oci:\(back):\(name)")
                #expect(pulled == original, "\(name): pulled back with the same manifest digest")
                let manifest = try JSONDecoder().decode(Manifest.self, from: Data(pulled))
                for layer in manifest.layers + [manifest.config] {
                    let blob = try FS.readFile("\(back)/blobs/\(layer.digest.algorithm.rawValue)/\(layer.digest.encoded)")
                    #expect(try Digest.sha256(of: blob) == layer.digest, "\(name): blob \(layer.digest) intact")
                }

                // skiff's own client pulls the same image from skiff's registry.
                (rc, out) = try await runAsync([skiff, "image", "pull", "--root", tmp.sub("store"), "--plain-http", "\(host)/built/\(name):latest"])
                #expect(rc == 0, "skiff image pull \(name): \(out)")
                #expect(out.contains(try Digest.sha256(of: original).description), "\(name): skiff pulled \(out)")
            }
        }
    }

    /// The manifest bytes at a skopeo transport reference.
    private func rawManifest(_ reference: String) async throws -> [UInt8] {
        let (rc, out) = try await runAsync(["skopeo", "inspect", "--raw", "--tls-verify=false", reference])
        try #require(rc == 0, "skopeo inspect --raw \(reference): \(out)")
        return Array(out.utf8)
    }
}
