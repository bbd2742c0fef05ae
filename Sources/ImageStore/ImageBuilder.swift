#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import OCI

/// Builds an image from directories (one layer each) and a run config, reproducibly: entries
/// sorted by path, owner 0:0, every mtime `sourceDateEpoch`, gzip without name or time, JSON
/// with sorted keys, `created` fixed. Building the same inputs twice gives the same digests.
public struct ImageBuilder: Sendable {
    public var layers: [String]
    public var runConfig: ImageConfig.RunConfig
    public var sourceDateEpoch: Int64
    public var platform: Platform

    public init(layers: [String], runConfig: ImageConfig.RunConfig, sourceDateEpoch: Int64 = 0, platform: Platform = .host) {
        self.layers = layers
        self.runConfig = runConfig
        self.sourceDateEpoch = sourceDateEpoch
        self.platform = platform
    }

    /// Builds into `store` and returns the manifest descriptor (not yet named).
    public func build(into store: ImageStore) throws -> Descriptor {
        var layerDescriptors: [Descriptor] = []
        var diffIDs: [Digest] = []
        for dir in layers {
            let (desc, diffID) = try writeLayer(from: dir, into: store.content)
            layerDescriptors.append(desc)
            diffIDs.append(diffID)
        }
        let created = Self.rfc3339(sourceDateEpoch)
        var config = ImageConfig(architecture: platform.architecture, os: platform.os, config: runConfig,
                                 rootfs: .init(diffIDs: diffIDs), created: created,
                                 history: layers.map { _ in .init(created: created, created_by: "skiff image build") })
        config.variant = platform.variant
        let configBytes = try canonicalJSON(config)
        let configDigest = try store.content.write(configBytes, what: "image config")
        let manifest = Manifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: configDigest, size: Int64(configBytes.count)),
                                layers: layerDescriptors)
        let manifestBytes = try canonicalJSON(manifest)
        let digest = try store.content.write(manifestBytes, what: "image manifest")
        return Descriptor(mediaType: MediaType.ociManifest, digest: digest, size: Int64(manifestBytes.count))
    }

    /// Builds and writes an OCI layout archive naming the image `name` (the ref-name annotation
    /// holds the name as given, e.g. `busybox:latest`).
    public func buildArchive(name: String, output: String, scratch store: ImageStore) throws -> Descriptor {
        let desc = try build(into: store)
        var annotated = desc
        annotated.annotations = [Descriptor.refNameAnnotation: name]
        let blobs = try store.closure(of: desc).map(\.digest)
        try store.writeLayoutArchive(index: Index(manifests: [annotated]), blobs: Array(Set(blobs)).sorted(),
                                     to: output, mtime: sourceDateEpoch)
        return desc
    }

    private func writeLayer(from dir: String, into content: ContentStore) throws -> (Descriptor, Digest) {
        let tmp = "\(content.root)/ingest/.layer-\(UInt64.random(in: 0...UInt64.max))"
        let fd = try FS.open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        defer { close(fd); unlink(tmp) }
        let compressed = HashingSink(FileSink(fd: fd, what: tmp))
        let plain = HashingSink(try GzipSink(compressed, level: 9))
        let tar = TarWriter(plain)
        var seenInodes: [String: String] = [:]
        try addTree(dir, relative: "", tar: tar, seenInodes: &seenInodes)
        try tar.finish()
        let diffID = try plain.digest()
        let rfd = try FS.open(tmp, O_RDONLY)
        defer { close(rfd) }
        let (digest, size) = try content.ingest(FileSource(fd: rfd, what: tmp), expected: try compressed.digest(),
                                                expectedSize: compressed.count, what: "layer built from \(dir)")
        return (Descriptor(mediaType: MediaType.ociLayerGzip, digest: digest, size: size), diffID)
    }

    private func addTree(_ base: String, relative: String, tar: TarWriter, seenInodes: inout [String: String]) throws {
        let dirPath = relative.isEmpty ? base : "\(base)/\(relative)"
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: dirPath) } catch {
            throw ImageStoreError.system(operation: "list \(dirPath): \(error)", errno: EIO)
        }
        // Sort by bytes, not locale, so the order is the same everywhere.
        for name in names.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            let rel = relative.isEmpty ? name : "\(relative)/\(name)"
            let full = "\(base)/\(rel)"
            var st = stat()
            try FS.check(lstat(full, &st), "lstat \(full)")
            var e = TarEntry(path: rel, kind: .regular)
            e.mode = UInt32(st.st_mode & 0o7777)
            e.mtimeSeconds = sourceDateEpoch
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                e.kind = .directory
                try tar.add(e)
                try addTree(base, relative: rel, tar: tar, seenInodes: &seenInodes)
            case S_IFREG:
                let inode = "\(st.st_dev):\(st.st_ino)"
                if st.st_nlink > 1, let first = seenInodes[inode] {
                    e.kind = .hardlink
                    e.linkTarget = first
                    try tar.add(e)
                    continue
                }
                if st.st_nlink > 1 { seenInodes[inode] = rel }
                e.size = Int64(st.st_size)
                let ffd = try FS.open(full, O_RDONLY | O_NOFOLLOW)
                defer { close(ffd) }
                try tar.add(e, data: FileSource(fd: ffd, what: full, offset: 0, length: e.size))
            case S_IFLNK:
                var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
                let n = readlink(full, &buf, buf.count - 1)
                try FS.check(Int32(n < 0 ? -1 : 0), "readlink \(full)")
                e.kind = .symlink
                e.linkTarget = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                try tar.add(e)
            case S_IFIFO:
                e.kind = .fifo
                try tar.add(e)
            default:
                throw ImageStoreError.unsupported("\(full): sockets and device nodes are not put into built images")
            }
        }
    }

    static func rfc3339(_ epoch: Int64) -> String {
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        return f.string(from: Date(timeIntervalSince1970: TimeInterval(epoch)))
    }
}
