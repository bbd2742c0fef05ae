import Foundation
import ImageStore
import Logging
import OCI

/// An image ready to run: its config and the snapshot directories of its layers.
struct PreparedImage: Sendable {
    var reference: String
    /// `registry/repository@sha256:…`, what `containerStatuses[].imageID` reports.
    var imageID: String
    var config: ImageConfig
    /// Snapshot directories, base layer first.
    var layers: [String]
}

/// Why an image is not available: `ErrImagePull` (a pull just failed), `ImagePullBackOff`
/// (waiting before the next attempt) or `ErrImageNeverPull` (policy Never, image absent).
struct ImagePullError: Error, Sendable, CustomStringConvertible {
    var reason: String
    var message: String
    var description: String { "\(reason): \(message)" }
}

/// The node's images: pulls through ImageStore's registry client from the configured
/// registry (whatever registry a reference names), by the container's pull policy, with
/// Kubernetes' back-off between failed pulls.
actor ImageManager {
    let store: ImageStore
    let registryHost: String?
    let clientOptions: RegistryClientOptions
    let logger: Logger
    private var backoff = Backoff()
    private var lastErrors: [String: String] = [:]

    init(root: String, registryEndpoint: String?, logger: Logger) throws {
        store = try ImageStore(root: root, logger: logger)
        self.logger = logger
        if let endpoint = registryEndpoint, !endpoint.isEmpty {
            var host = endpoint
            var plain = false
            if host.hasPrefix("http://") { host = String(host.dropFirst(7)); plain = true }
            if host.hasPrefix("https://") { host = String(host.dropFirst(8)) }
            while host.hasSuffix("/") { host.removeLast() }
            registryHost = host
            clientOptions = RegistryClientOptions(insecureRegistries: plain ? [host] : [], plainHTTP: plain)
        } else {
            registryHost = nil
            clientOptions = RegistryClientOptions()
        }
    }

    /// The image present in the store under `image` (as the PodSpec names it), if any.
    nonisolated func present(_ image: String) -> PreparedImage? {
        guard let resolved = try? store.image(image) else { return nil }
        return prepared(image, resolved)
    }

    nonisolated func prepared(_ image: String, _ resolved: ResolvedImage) -> PreparedImage {
        let name = (try? store.reference(image))?.name ?? image
        return PreparedImage(reference: image, imageID: "\(name)@\(resolved.target.digest)", config: resolved.config, layers: [])
    }

    /// Makes `image` available by `policy` and unpacks it. `pulled` is called before a pull
    /// starts (for the `Pulling` event); the result says whether a pull happened.
    func ensure(_ image: String, policy: String, pulling: @Sendable () -> Void) async throws -> (image: PreparedImage, pulled: Bool) {
        let existing = try? store.image(image)
        var pulled = false
        var resolved: ResolvedImage
        if let existing, policy != "Always" {
            resolved = existing
        } else if policy == "Never" {
            throw ImagePullError(reason: "ErrImageNeverPull",
                                 message: "Container image \"\(image)\" is not present with pull policy of Never")
        } else {
            if backoff.isBackingOff(image, at: Date()) {
                throw ImagePullError(reason: "ImagePullBackOff",
                                     message: "Back-off pulling image \"\(image)\"" + (lastErrors[image].map { ": \($0)" } ?? ""))
            }
            pulling()
            do {
                resolved = try await pull(image)
                pulled = true
                backoff.reset(image)
                lastErrors[image] = nil
            } catch {
                if let existing, policy == "Always" {
                    // A registry that is briefly away does not stop an image we already have.
                    logger.warning("pulling \(image) failed, using the stored copy: \(error)")
                    resolved = existing
                } else {
                    backoff.recordFailure(image, at: Date())
                    lastErrors[image] = "\(error)"
                    throw ImagePullError(reason: "ErrImagePull", message: "Failed to pull image \"\(image)\": \(error)")
                }
            }
        }
        let snapshot = resolved
        let layers = try await Blocking.run { [store] in try store.unpack(snapshot) }
        var result = prepared(image, resolved)
        result.layers = layers
        return (result, pulled)
    }

    /// Pulls from the node's registry and names the image as the PodSpec does too.
    private func pull(_ image: String) async throws -> ResolvedImage {
        guard let registryHost else {
            throw ImagePullError(reason: "ErrImagePull", message: "no registry is configured on this node")
        }
        let wanted = try store.reference(image)
        let source = ImageReference(registry: registryHost, repository: wanted.repository, tag: wanted.tag, digest: wanted.digest)
        // A client per pull: pulls are rare, and nothing stays open between them.
        let client = RegistryClient(store: store, options: clientOptions, logger: logger)
        let result: PullResult
        do {
            result = try await client.pull(source)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try? await client.shutdown()
        try store.tag(wanted, target: result.target)
        return try store.resolve(result.target, name: wanted.description)
    }

    /// Images for `status.images`: names and the size of their layers.
    nonisolated func nodeImages() -> [(names: [String], size: Int64)] {
        var byTarget: [String: (names: [String], size: Int64)] = [:]
        for record in store.records.list() {
            let key = record.target.digest.description
            if var entry = byTarget[key] {
                entry.names.append(record.name)
                byTarget[key] = entry
                continue
            }
            let size = (try? store.manifest(for: record.target))?.manifest.layers.reduce(Int64(0)) { $0 + $1.size } ?? 0
            byTarget[key] = ([record.name, "\(((try? store.reference(record.name))?.name) ?? record.name)@\(key)"], size)
        }
        return byTarget.values.sorted { $0.names[0] < $1.names[0] }
    }

    /// Removes images no container uses, then their blobs and snapshots, when the image
    /// filesystem is fuller than `threshold` (a fraction).
    func collectGarbage(inUse: Set<String>, threshold: Double) throws {
        guard let usage = MachineInfo.filesystemUsage(store.root), usage.total > 0,
              Double(usage.used) / Double(usage.total) > threshold else { return }
        var keep = Set<Digest>()
        for record in store.records.list() {
            if inUse.contains(record.name) || inUse.contains(where: { (try? store.reference($0))?.description == record.name }) {
                if let image = try? store.resolve(record.target) { keep.formUnion(image.chainIDs) }
                continue
            }
            logger.info("removing unused image \(record.name)")
            _ = try? store.records.remove(record.name)
        }
        _ = try store.collectGarbage(inUse: keep)
    }
}
