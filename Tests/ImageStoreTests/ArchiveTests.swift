#if canImport(Glibc)
import Glibc
#endif
import Foundation
@testable import ImageStore
import OCI
import Testing

/// Builds a small two-layer image archive with skiff's builder; returns its path.
func buildSampleArchive(in tmp: TempDir, name: String = "sample:latest", marker: String = "v1") throws -> String {
    let base = tmp.sub("layer-base-\(marker)")
    try FileManager.default.createDirectory(atPath: "\(base)/bin", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: "\(base)/etc", withIntermediateDirectories: true)
    FileManager.default.createFile(atPath: "\(base)/etc/passwd", contents: Data("root:x:0:0:root:/root:/bin/sh\n".utf8))
    FileManager.default.createFile(atPath: "\(base)/bin/tool", contents: Data(String(repeating: "tool ", count: 2000).utf8))
    chmod("\(base)/bin/tool", 0o755)
    if !FS.exists("\(base)/bin/sh") { try FileManager.default.createSymbolicLink(atPath: "\(base)/bin/sh", withDestinationPath: "tool") }
    let app = tmp.sub("layer-app-\(marker)")
    FileManager.default.createFile(atPath: "\(app)/app.txt", contents: Data("app \(marker)\n".utf8))
    let out = "\(tmp.path)/\(marker).oci.tar"
    let scratch = try ImageStore(root: tmp.sub("scratch-\(marker)-\(UInt32.random(in: 0...UInt32.max))"))
    let b = ImageBuilder(layers: [base, app], runConfig: .init(Env: ["PATH=/bin"], Entrypoint: ["/bin/sh"]))
    _ = try b.buildArchive(name: name, output: out, scratch: scratch)
    return out
}

@Suite struct ArchiveTests {
    @Test func deterministicBuild() throws {
        let tmp = TempDir("det")
        defer { tmp.cleanup() }
        let a = try buildSampleArchive(in: tmp, marker: "same")
        let first = try FS.readFile(a)
        // Different mtimes on disk must not matter.
        var ts = [timespec(tv_sec: 12345, tv_nsec: 0), timespec(tv_sec: 12345, tv_nsec: 0)]
        utimensat(AT_FDCWD, "\(tmp.path)/layer-app-same/app.txt", &ts, 0)
        let b = try buildSampleArchive(in: tmp, marker: "same")
        let second = try FS.readFile(b)
        #expect(first == second, "building twice gives the same bytes")
        // And the same digests once loaded.
        let s1 = try ImageStore(root: tmp.sub("s1"))
        let l1 = try s1.load(archive: a)
        #expect(l1.count == 1)
        #expect(l1[0].name == "docker.io/library/sample:latest")
    }

    @Test func ociArchiveRoundTrip() throws {
        let tmp = TempDir("ociroundtrip")
        defer { tmp.cleanup() }
        let archive = try buildSampleArchive(in: tmp)
        let s1 = try ImageStore(root: tmp.sub("s1"))
        let loaded = try s1.load(archive: archive)
        let image = try s1.image("sample:latest")
        #expect(loaded.first?.target.digest == image.target.digest)

        let exported = "\(tmp.path)/exported.tar"
        try s1.export(["sample:latest"], to: exported)
        let s2 = try ImageStore(root: tmp.sub("s2"))
        let again = try s2.load(archive: exported)
        #expect(again.map(\.name) == ["docker.io/library/sample:latest"])
        let image2 = try s2.image("sample:latest")
        #expect(image2.target.digest == image.target.digest)
        #expect(image2.manifest == image.manifest)
        #expect(s1.content.list() == s2.content.list())
        let paths = try s2.unpack(image2)
        #expect(try String(contentsOfFile: "\(paths[1])/app.txt", encoding: .utf8) == "app v1\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: "\(paths[0])/bin/sh") == "tool")

        // Exporting twice gives the same archive.
        try s2.export(["sample:latest"], to: "\(tmp.path)/exported2.tar")
        #expect(try FS.readFile(exported) == (try FS.readFile("\(tmp.path)/exported2.tar")))
    }

    @Test(.enabled(if: which("skopeo"), "needs skopeo"))
    func skopeoArchivesImport() throws {
        let tmp = TempDir("skopeo")
        defer { tmp.cleanup() }
        let archive = try buildSampleArchive(in: tmp)
        let s = try ImageStore(root: tmp.sub("s"))
        let original = try s.image(try s.load(archive: archive)[0].name ?? "")

        // docker-archive written by skopeo: manifest.json + config + layer tars.
        let docker = "\(tmp.path)/docker.tar"
        var (rc, out) = try run(["skopeo", "copy", "--quiet", "oci-archive:\(archive)", "docker-archive:\(docker):sample:docker"])
        #expect(rc == 0, "\(out)")
        let sd = try ImageStore(root: tmp.sub("sd"))
        let loaded = try sd.load(archive: docker)
        #expect(loaded.map(\.name) == ["docker.io/library/sample:docker"])
        let fromDocker = try sd.image("sample:docker")
        #expect(fromDocker.config.rootfs.diff_ids == original.config.rootfs.diff_ids, "same layers")
        #expect(fromDocker.manifest.mediaType == MediaType.ociManifest, "converted to an OCI manifest")
        let paths = try sd.unpack(fromDocker)
        #expect(try String(contentsOfFile: "\(paths[1])/app.txt", encoding: .utf8) == "app v1\n")

        // ... and back out as an OCI archive that skopeo reads.
        let exported = "\(tmp.path)/exported.tar"
        try sd.export(["sample:docker"], to: exported)
        (rc, out) = try run(["skopeo", "inspect", "--raw", "oci-archive:\(exported)"])
        #expect(rc == 0, "\(out)")
        #expect((try Digest.sha256(of: Array(out.utf8))) == fromDocker.manifestDescriptor.digest)

        // OCI archive written by skopeo (its own tar writer), gzipped.
        let ociBySkopeo = "\(tmp.path)/by-skopeo.tar"
        (rc, out) = try run(["skopeo", "copy", "--quiet", "oci-archive:\(archive)", "oci-archive:\(ociBySkopeo):other:v2"])
        #expect(rc == 0, "\(out)")
        try run(["gzip", ociBySkopeo])
        let so = try ImageStore(root: tmp.sub("so"))
        let l2 = try so.load(archive: ociBySkopeo + ".gz")
        #expect(l2.map(\.name) == ["docker.io/library/other:v2"])
        #expect(try so.image("other:v2").target.digest == original.target.digest)
    }

    @Test func handWrittenDockerArchive() throws {
        let tmp = TempDir("dockerarchive")
        defer { tmp.cleanup() }
        let layer = try makeTar([file("hello.txt", "hi")])
        let diff = try Digest.sha256(of: layer)
        let config = try canonicalJSON(ImageConfig(architecture: "amd64", os: "linux", config: .init(Cmd: ["sh"]), rootfs: .init(diffIDs: [diff])))
        let configName = "\(try Digest.sha256(of: config).encoded).json"
        let manifest = try canonicalJSON([DockerArchiveManifestEntry(Config: configName, RepoTags: ["localhost:5000/hand:made", "hand:v1"],
                                                                     Layers: ["abc/layer.tar"])])
        // manifest.json first, layers after: the loader must not depend on order.
        let archive = try makeTar([file("manifest.json", String(decoding: manifest, as: UTF8.self)), dir("abc"),
                                   (TarEntry.withSize("abc/layer.tar"), layer), (TarEntry.withSize(configName), config)])
        FileManager.default.createFile(atPath: "\(tmp.path)/d.tar", contents: Data(archive))
        let s = try ImageStore(root: tmp.sub("s"))
        let loaded = try s.load(archive: "\(tmp.path)/d.tar")
        #expect(Set(loaded.compactMap(\.name)) == ["localhost:5000/hand:made", "docker.io/library/hand:v1"])
        let img = try s.image("hand:v1")
        #expect(img.manifest.layers[0].digest == diff, "an uncompressed layer's digest is its diffID")
        #expect(img.config.config?.Cmd == ["sh"])
        let p = try s.unpack(img)
        #expect(try String(contentsOfFile: "\(p[0])/hello.txt", encoding: .utf8) == "hi")

        // A lying diffID is refused at load.
        let badConfig = try canonicalJSON(ImageConfig(architecture: "amd64", os: "linux", config: nil,
                                                      rootfs: .init(diffIDs: [try Digest.sha256(of: [1, 2, 3])])))
        let badManifest = try canonicalJSON([DockerArchiveManifestEntry(Config: "c.json", RepoTags: ["bad:v1"], Layers: ["l.tar"])])
        let bad = try makeTar([(TarEntry.withSize("c.json"), badConfig), (TarEntry.withSize("l.tar"), layer),
                               (TarEntry.withSize("manifest.json"), badManifest)])
        FileManager.default.createFile(atPath: "\(tmp.path)/bad.tar", contents: Data(bad))
        #expect(throws: ImageStoreError.self) { _ = try s.load(archive: "\(tmp.path)/bad.tar") }
        #expect(throws: ImageStoreError.self) { _ = try s.image("bad:v1") }
    }

    @Test func garbageCollection() throws {
        let tmp = TempDir("gc")
        defer { tmp.cleanup() }
        let store = try ImageStore(root: tmp.sub("s"))
        let base = try makeTar([file("base")])
        try storeImage(store, name: "one:latest", layers: [base, try makeTar([file("one")])])
        try storeImage(store, name: "two:latest", layers: [base, try makeTar([file("two")])])
        let one = try store.image("one:latest")
        let two = try store.image("two:latest")
        _ = try store.unpack(one)
        _ = try store.unpack(two)
        try store.content.write(Array("stray".utf8))
        // 2 manifests + 2 configs + 3 layers (the base is shared) + the stray blob.
        #expect(store.content.list().count == 2 + 2 + 3 + 1)

        // Nothing referenced goes; the stray blob does.
        var report = try store.collectGarbage()
        #expect(report.removedBlobs.count == 1)
        #expect(report.removedSnapshots.isEmpty)

        // Remove "one": its own manifest, config, top layer and top snapshot go; the shared base stays.
        try store.remove("one:latest")
        report = try store.collectGarbage(inUse: [])
        #expect(report.removedBlobs.count == 3)
        #expect(report.removedSnapshots == [one.chainIDs[1]])
        #expect(store.snapshots.contains(one.chainIDs[0]))
        #expect(try store.image("two:latest").target == two.target)
        _ = try store.unpack(try store.image("two:latest"))

        // A snapshot in use by a caller is kept even when no image references it.
        try store.remove("two:latest")
        report = try store.collectGarbage(inUse: [two.chainIDs[1]])
        #expect(store.snapshots.list() == [two.chainIDs[1]])
        #expect(store.content.list().isEmpty)
    }
}

extension TarEntry {
    static func withSize(_ path: String) -> TarEntry {
        var e = TarEntry(path: path, kind: .regular)
        e.mode = 0o644
        return e
    }
}
