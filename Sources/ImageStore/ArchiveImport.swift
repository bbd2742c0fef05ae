#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import OCI

/// Where each regular file of an uncompressed tar archive lives, so files can be read in any
/// order (a `docker save` archive's `manifest.json` may come after the layers it lists).
struct ArchiveIndex {
    struct File { var offset: Int64; var size: Int64 }
    var files: [String: File] = [:]

    static func normalise(_ path: String) -> String {
        var p = Substring(path)
        while p.hasPrefix("./") { p = p.dropFirst(2) }
        while p.hasPrefix("/") { p = p.dropFirst() }
        return String(p)
    }

    init(fd: Int32, what: String) throws {
        let tar = TarReader(BufferedReader(FileSource(fd: fd, what: what, chunk: 64 << 10)))
        while let e = try tar.next() {
            if e.kind == .regular { files[Self.normalise(e.path)] = File(offset: e.dataOffset, size: e.size) }
        }
    }
}

/// The result of loading an archive: the images it held and the names given to them.
public struct LoadedImage: Sendable, Equatable {
    public var name: String?
    public var target: Descriptor
}

extension ImageStore {
    /// Loads an OCI image-layout archive or a `docker save` archive (plain or gzipped tar),
    /// verifying every blob, and names the images it carries. `nameForUntagged` names images
    /// whose archive gives only a tag or no name at all.
    public func load(archive path: String, nameForUntagged: ImageReference? = nil) throws -> [LoadedImage] {
        var fd = try FS.open(path, O_RDONLY)
        var tempCopy: String?
        defer {
            close(fd)
            if let tempCopy { unlink(tempCopy) }
        }
        // A gzipped archive is decompressed to a temp file first: reading by offset needs a plain tar.
        let head = try FS.read(fd, max: 4, path)
        if LayerCompressionKind.sniff(head) != .none {
            let tmp = "\(content.root)/ingest/.archive-\(UInt64.random(in: 0...UInt64.max)).tar"
            tempCopy = tmp
            let out = try FS.open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            defer { close(out) }
            let src = try decompressing(FileSource(fd: fd, what: path), LayerCompressionKind.sniff(head),
                                        limits: limits.decompression, what: path)
            while true {
                let c = try src.next()
                if c.isEmpty { break }
                try FS.writeAll(out, c, tmp)
            }
            close(fd)
            fd = try FS.open(tmp, O_RDONLY)
        }
        let index = try ArchiveIndex(fd: fd, what: path)
        if index.files["oci-layout"] != nil && index.files["index.json"] != nil {
            return try loadOCILayout(index, fd: fd, path: path, nameForUntagged: nameForUntagged)
        }
        if index.files["manifest.json"] != nil {
            return try loadDockerArchive(index, fd: fd, path: path, nameForUntagged: nameForUntagged)
        }
        throw ImageStoreError.invalidImage("\(path) is neither an OCI image layout (oci-layout, index.json) nor a docker save archive (manifest.json)")
    }

    private func readSmall(_ index: ArchiveIndex, _ name: String, fd: Int32, path: String) throws -> [UInt8] {
        guard let f = index.files[name] else { throw ImageStoreError.invalidImage("\(path): archive has no \(name)") }
        guard f.size <= 16 << 20 else { throw ImageStoreError.limitExceeded("\(path): \(name) is larger than 16 MiB") }
        let src = FileSource(fd: fd, what: "\(path):\(name)", offset: f.offset, length: f.size)
        var out: [UInt8] = []
        while true {
            let c = try src.next()
            if c.isEmpty { return out }
            out += c
        }
    }

    private func loadOCILayout(_ index: ArchiveIndex, fd: Int32, path: String, nameForUntagged: ImageReference?) throws -> [LoadedImage] {
        let header = try JSONDecoder().decode(ImageLayoutHeader.self, from: Data(try readSmall(index, "oci-layout", fd: fd, path: path)))
        guard header.imageLayoutVersion.hasPrefix("1.") else {
            throw ImageStoreError.unsupported("\(path): image layout version \(header.imageLayoutVersion)")
        }
        let top: Index
        do {
            top = try JSONDecoder().decode(Index.self, from: Data(try readSmall(index, "index.json", fd: fd, path: path)))
        } catch {
            throw ImageStoreError.invalidImage("\(path): index.json does not decode: \(error)")
        }
        // Copy every blob the archive holds, verified against the digest its path names.
        for (name, f) in index.files.sorted(by: { $0.key < $1.key }) where name.hasPrefix("blobs/") {
            let parts = name.split(separator: "/")
            guard parts.count == 3, let alg = Digest.Algorithm(rawValue: String(parts[1])),
                  let digest = try? Digest(algorithm: alg, encoded: String(parts[2])) else { continue }
            if content.contains(digest) { continue }
            _ = try content.ingest(FileSource(fd: fd, what: "\(path):\(name)", offset: f.offset, length: f.size),
                                   expected: digest, expectedSize: f.size, what: "\(path):\(name)")
        }
        var loaded: [LoadedImage] = []
        for desc in top.manifests {
            // The image must be complete for this platform.
            let image = try resolve(desc)
            for l in image.manifest.layers where !content.contains(l.digest) {
                throw ImageStoreError.invalidImage("\(path): layer \(l.digest) is missing from the archive")
            }
            let name = try imageName(annotations: desc.annotations, fallback: nameForUntagged)
            if let name { try tag(name, target: desc) }
            loaded.append(LoadedImage(name: name?.description, target: desc))
        }
        return loaded
    }

    /// The name an archive gives an image: containerd's `io.containerd.image.name`, else
    /// `org.opencontainers.image.ref.name` when it is a full reference. A bare tag (`latest`)
    /// is applied to `fallback`'s repository.
    func imageName(annotations: [String: String]?, fallback: ImageReference?) throws -> ImageReference? {
        if let full = annotations?["io.containerd.image.name"] { return try reference(full) }
        if let ref = annotations?[Descriptor.refNameAnnotation] {
            if ref.contains(":") || ref.contains("/") || ref.contains("@") { return try reference(ref) }
            if let fallback { return fallback.withTag(ref) }
            if ImageReference.isValidTag(ref) { return nil }
            return try reference(ref)
        }
        return fallback
    }

    private func loadDockerArchive(_ index: ArchiveIndex, fd: Int32, path: String, nameForUntagged: ImageReference?) throws -> [LoadedImage] {
        let entries: [DockerArchiveManifestEntry]
        do {
            entries = try JSONDecoder().decode([DockerArchiveManifestEntry].self,
                                               from: Data(try readSmall(index, "manifest.json", fd: fd, path: path)))
        } catch let e as ImageStoreError {
            throw e
        } catch {
            throw ImageStoreError.invalidImage("\(path): manifest.json does not decode: \(error)")
        }
        var loaded: [LoadedImage] = []
        for entry in entries {
            let configBytes = try readSmall(index, ArchiveIndex.normalise(entry.Config), fd: fd, path: path)
            let config: ImageConfig
            do { config = try JSONDecoder().decode(ImageConfig.self, from: Data(configBytes)) } catch {
                throw ImageStoreError.invalidImage("\(path): config \(entry.Config) does not decode: \(error)")
            }
            guard config.rootfs.diff_ids.count == entry.Layers.count else {
                throw ImageStoreError.invalidImage("\(path): \(entry.Config) lists \(config.rootfs.diff_ids.count) diff_ids for \(entry.Layers.count) layers")
            }
            let configDigest = try content.write(configBytes, what: "\(path):\(entry.Config)")
            var layers: [Descriptor] = []
            for (i, layerPath) in entry.Layers.enumerated() {
                let name = ArchiveIndex.normalise(layerPath)
                guard let f = index.files[name] else { throw ImageStoreError.invalidImage("\(path): layer \(layerPath) is missing") }
                let headSrc = FileSource(fd: fd, what: "\(path):\(name)", offset: f.offset, length: min(f.size, 4))
                let kind = LayerCompressionKind.sniff(try headSrc.next())
                let (digest, size) = try content.ingest(FileSource(fd: fd, what: "\(path):\(name)", offset: f.offset, length: f.size),
                                                        expected: nil, expectedSize: f.size, what: "\(path):\(name)")
                let mediaType: String
                switch kind {
                case .none:
                    mediaType = MediaType.ociLayer
                    // An uncompressed layer's digest is its diffID: check it now.
                    guard digest == config.rootfs.diff_ids[i] else {
                        throw ImageStoreError.digestMismatch(expected: config.rootfs.diff_ids[i], actual: digest, what: "\(path): layer \(layerPath)")
                    }
                case .gzip: mediaType = MediaType.ociLayerGzip
                case .zstd: mediaType = MediaType.ociLayerZstd
                }
                layers.append(Descriptor(mediaType: mediaType, digest: digest, size: size))
            }
            let manifest = Manifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: configDigest, size: Int64(configBytes.count)),
                                    layers: layers)
            let manifestBytes = try canonicalJSON(manifest)
            let manifestDigest = try content.write(manifestBytes, what: "manifest converted from \(path)")
            let target = Descriptor(mediaType: MediaType.ociManifest, digest: manifestDigest, size: Int64(manifestBytes.count))
            let names = try (entry.RepoTags ?? []).map { try reference($0) }
            if names.isEmpty {
                if let nameForUntagged { try tag(nameForUntagged, target: target) }
                loaded.append(LoadedImage(name: nameForUntagged?.description, target: target))
            }
            for n in names {
                try tag(n, target: target)
                loaded.append(LoadedImage(name: n.description, target: target))
            }
        }
        return loaded
    }
}

/// JSON with sorted keys and unescaped slashes: the same value always gives the same bytes,
/// hence the same digest.
func canonicalJSON<T: Encodable>(_ value: T) throws -> [UInt8] {
    let enc = JSONEncoder()
    enc.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return Array(try enc.encode(value))
}
