import Foundation
import OCI

/// What a garbage collection removed.
public struct GCReport: Sendable, Equatable {
    public var removedBlobs: [Digest] = []
    public var removedSnapshots: [Digest] = []
    public var freedBytes: Int64 = 0
}

extension ImageStore {
    /// Removes blobs and snapshots no image record reaches. Snapshots in `inUse` (the chain
    /// IDs of running containers, which may outlive their image's name) are kept.
    /// Marking follows every record to its manifests, configs and layers; a record whose
    /// content is damaged keeps what can still be reached and is reported in the log.
    /// Run it when no pull or load is in flight: their blobs are not yet referenced.
    public func collectGarbage(inUse: Set<Digest> = []) throws -> GCReport {
        var liveBlobs = Set<Digest>()
        var liveSnapshots = inUse
        for rec in records.list() {
            do {
                for d in try closure(of: rec.target) { liveBlobs.insert(d.digest) }
                for d in try closure(of: rec.target) where MediaType.allManifests.contains(d.mediaType) || d.digest == rec.target.digest {
                    let env = try envelope(d.digest).envelope
                    guard !env.isIndex, let cfg = env.config, content.contains(cfg.digest) else { continue }
                    let config = try JSONDecoder().decode(ImageConfig.self, from: Data(try content.read(cfg.digest)))
                    liveSnapshots.formUnion(try ChainID.chain(config.rootfs.diff_ids))
                }
            } catch {
                logger.warning("image record cannot be fully marked", metadata: ["image": "\(rec.name)", "error": "\(error)"])
                liveBlobs.insert(rec.target.digest)
            }
        }
        var report = GCReport()
        for d in content.list() where !liveBlobs.contains(d) {
            report.freedBytes += content.size(of: d) ?? 0
            content.delete(d)
            report.removedBlobs.append(d)
        }
        for s in snapshots.list() where !liveSnapshots.contains(s) {
            snapshots.remove(s)
            report.removedSnapshots.append(s)
        }
        return report
    }
}
