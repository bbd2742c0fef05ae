import Dispatch
import Foundation
import Logging
import OCI
import Synchronization

/// An image as the runtime needs it: the manifest for this platform, its config, and the
/// chain IDs that name its snapshots.
public struct ResolvedImage: Sendable {
    public var name: String?
    /// What the name points at (an index or a manifest).
    public var target: Descriptor
    /// The platform's manifest (equal to `target` for single-platform images).
    public var manifestDescriptor: Descriptor
    public var manifest: Manifest
    public var config: ImageConfig
    public var configDigest: Digest { manifest.config.digest }
    /// Chain IDs of the layers, base first.
    public var chainIDs: [Digest]
}

/// The node's image store: content-addressed blobs, image names, and unpacked snapshots,
/// all under one root directory (`blobs/`, `ingest/`, `images/`, `snapshots/`).
///
/// Every method is synchronous file work and safe to call from several tasks at once:
/// state lives only on disk, and every on-disk change is an atomic rename.
public final class ImageStore: Sendable {
    public let root: String
    public let content: ContentStore
    public let records: ImageRecords
    public let snapshots: SnapshotStore
    public let limits: UnpackLimits
    /// The registry a reference without one names (`busybox` → `<defaultRegistry>/…`).
    public let defaultRegistry: String
    let logger: Logger

    public init(root: String, defaultRegistry: String = ImageReference.dockerHub, limits: UnpackLimits = UnpackLimits(),
                logger: Logger = Logger(label: "skiff.imagestore")) throws {
        self.root = root
        self.content = try ContentStore(root: root)
        self.records = try ImageRecords(root: root)
        self.snapshots = try SnapshotStore(root: root)
        self.limits = limits
        self.defaultRegistry = defaultRegistry
        self.logger = logger
    }

    /// Parses a reference with this store's default registry.
    public func reference(_ string: String) throws -> ImageReference {
        try ImageReference(parsing: string, defaultRegistry: defaultRegistry)
    }

    /// Points `ref` at `target`.
    public func tag(_ ref: ImageReference, target: Descriptor) throws {
        try records.put(ref.description, target: target)
    }

    /// The record for a reference, a name, or a target digest (`sha256:…`, or a unique hex prefix
    /// of at least 12 characters).
    public func record(_ string: String) throws -> ImageRecord {
        if let r = try? reference(string), let rec = try records.get(r.description) { return rec }
        let all = records.list()
        let hex = string.hasPrefix("sha256:") ? String(string.dropFirst(7)) : string
        if hex.count >= 12 {
            let hits = all.filter { $0.target.digest.encoded.hasPrefix(hex) }
            if let first = hits.first, hits.allSatisfy({ $0.target.digest == first.target.digest }) { return first }
        }
        throw ImageStoreError.imageNotFound(string)
    }

    /// Removes the name; blobs and snapshots go at the next garbage collection.
    public func remove(_ string: String) throws {
        let rec = try record(string)
        try records.remove(rec.name)
    }

    /// Reads a manifest-like blob and decodes it, refusing types skiff cannot run.
    func envelope(_ digest: Digest) throws -> (bytes: [UInt8], envelope: ManifestEnvelope) {
        let bytes = try content.read(digest)
        do {
            let env = try JSONDecoder().decode(ManifestEnvelope.self, from: Data(bytes))
            if env.schemaVersion == 1 {
                throw ImageStoreError.unsupported("manifest \(digest) is Docker schema 1, which is not supported")
            }
            return (bytes, env)
        } catch let e as ImageStoreError {
            throw e
        } catch {
            throw ImageStoreError.invalidImage("manifest \(digest) does not decode: \(error)")
        }
    }

    /// The image manifest for `platform` under `target` (resolving an index).
    public func manifest(for target: Descriptor, platform: Platform = .host) throws -> (descriptor: Descriptor, manifest: Manifest) {
        var desc = target
        for _ in 0..<4 {
            let (bytes, env) = try envelope(desc.digest)
            if env.isIndex {
                let index = try JSONDecoder().decode(Index.self, from: Data(bytes))
                guard let pick = index.manifest(for: platform) ?? (index.manifests.count == 1 && index.manifests[0].platform == nil ? index.manifests[0] : nil) else {
                    let have = index.manifests.compactMap { $0.platform.map { "\($0.os)/\($0.architecture)" } }
                    throw ImageStoreError.invalidImage("index \(desc.digest) has no manifest for \(platform.os)/\(platform.architecture) (has: \(have.joined(separator: ", ")))")
                }
                desc = pick
                continue
            }
            do {
                return (desc, try JSONDecoder().decode(Manifest.self, from: Data(bytes)))
            } catch {
                throw ImageStoreError.invalidImage("manifest \(desc.digest) does not decode: \(error)")
            }
        }
        throw ImageStoreError.invalidImage("indexes nested too deeply under \(target.digest)")
    }

    public func config(of manifest: Manifest) throws -> ImageConfig {
        let bytes = try content.read(manifest.config.digest)
        do {
            return try JSONDecoder().decode(ImageConfig.self, from: Data(bytes))
        } catch {
            throw ImageStoreError.invalidImage("config \(manifest.config.digest) does not decode: \(error)")
        }
    }

    public func resolve(_ target: Descriptor, name: String? = nil, platform: Platform = .host) throws -> ResolvedImage {
        let (md, m) = try manifest(for: target, platform: platform)
        let cfg = try config(of: m)
        guard cfg.rootfs.diff_ids.count == m.layers.count else {
            throw ImageStoreError.invalidImage("manifest \(md.digest) has \(m.layers.count) layers but its config lists \(cfg.rootfs.diff_ids.count) diff_ids")
        }
        return ResolvedImage(name: name, target: target, manifestDescriptor: md, manifest: m, config: cfg,
                             chainIDs: try ChainID.chain(cfg.rootfs.diff_ids))
    }

    /// Resolves a name (or digest) to the image for `platform`.
    public func image(_ string: String, platform: Platform = .host) throws -> ResolvedImage {
        let rec = try record(string)
        return try resolve(rec.target, name: rec.name, platform: platform)
    }

    /// Makes sure every layer of the image is unpacked; returns the snapshot directories,
    /// base first (overlayfs wants them reversed as `lowerdir`). Layers are independent
    /// directories, so they unpack in parallel.
    public func unpack(_ image: ResolvedImage) throws -> [String] {
        let layers = image.manifest.layers
        let failures = Mutex<[Int: any Error]>([:])
        DispatchQueue.concurrentPerform(iterations: layers.count) { i in
            do {
                try snapshots.unpack(layer: layers[i], diffID: image.config.rootfs.diff_ids[i], chainID: image.chainIDs[i],
                                     content: content, limits: limits, logger: logger)
            } catch {
                failures.withLock { $0[i] = error }
            }
        }
        // Report the lowest layer's failure, as a sequential unpack would.
        if let first = failures.withLock({ $0.min { $0.key < $1.key }?.value }) { throw first }
        return image.chainIDs.map { snapshots.path(for: $0) }
    }
}
