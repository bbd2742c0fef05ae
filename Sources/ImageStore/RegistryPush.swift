#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import OCI

/// The bytes of a stored blob as an async sequence of buffers, for streaming uploads.
struct BlobChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    let path: String

    final class AsyncIterator: AsyncIteratorProtocol {
        private var fd: Int32
        private let path: String
        init(path: String) {
            self.path = path
            fd = open(path, O_RDONLY | O_CLOEXEC)
        }
        deinit { if fd >= 0 { close(fd) } }
        func next() async throws -> ByteBuffer? {
            guard fd >= 0 else { throw ImageStoreError.system(operation: "open \(path)", errno: errno) }
            let chunk = try FS.read(fd, max: 1 << 20, path)
            if chunk.isEmpty { return nil }
            return ByteBuffer(bytes: chunk)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(path: path) }
}

extension RegistryClient {
    /// Pushes the local image `source` to `ref`: blobs the registry lacks (checked with HEAD)
    /// are uploaded monolithically (POST, then PUT with the digest), or mounted from the source
    /// repository when both live on the same registry; then the manifest(s). Returns the
    /// descriptor pushed under `ref`.
    @discardableResult
    public func push(_ source: String, to ref: ImageReference) async throws -> Descriptor {
        let rec = try store.record(source)
        var target = rec.target
        let env = try store.envelope(target.digest).envelope
        var children: [Descriptor] = []
        if env.isIndex {
            let all = env.manifests ?? []
            if all.allSatisfy({ store.content.contains($0.digest) }) {
                children = all
            } else {
                // Only the host platform was pulled: push that image alone.
                target = try store.manifest(for: target, platform: options.platform).descriptor
                logger.info("index is incomplete locally; pushing the platform manifest only",
                            metadata: ["image": "\(rec.name)", "manifest": "\(target.digest)"])
            }
        }
        let manifests = children.isEmpty ? [target] : children
        let scope = "repository:\(ref.repository):pull,push"
        let mountFrom = (try? store.reference(rec.name)).flatMap { $0.registry == ref.registry && $0.repository != ref.repository ? $0.repository : nil }
        var blobs: [Digest: Descriptor] = [:]
        for m in manifests {
            let image = try store.resolve(m, platform: options.platform)
            for b in [image.manifest.config] + image.manifest.layers { blobs[b.digest] = b }
        }
        let list = blobs.values.sorted { $0.digest < $1.digest }
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            var running = 0
            while next < list.count || running > 0 {
                // Keep at most `concurrency` uploads in flight.
                while running < max(1, options.concurrency) && next < list.count {
                    let b = list[next]
                    next += 1
                    running += 1
                    group.addTask { try await self.pushBlob(b, to: ref, scope: scope, mountFrom: mountFrom) }
                }
                try await group.next()
                running -= 1
            }
        }
        for m in children { try await pushManifest(m, reference: m.digest.description, to: ref, scope: scope) }
        try await pushManifest(target, reference: ref.manifestReference, to: ref, scope: scope)
        logger.debug("pushed", metadata: ["image": "\(ref)", "digest": "\(target.digest)"])
        return target
    }

    func pushBlob(_ desc: Descriptor, to ref: ImageReference, scope: String, mountFrom: String?) async throws {
        let base = "\(baseURL(ref.registry))/v2/\(ref.repository)/blobs"
        let head = try await send(.HEAD, "\(base)/\(desc.digest)", registry: ref.registry, scope: scope)
        _ = try? await head.collect(max: 1 << 16)
        if head.status == .ok { return }
        var startURL = "\(base)/uploads/"
        if let mountFrom { startURL += "?mount=\(desc.digest)&from=\(mountFrom)" }
        let start = try await send(.POST, startURL, registry: ref.registry, scope: scope)
        if start.status == .created {
            _ = try? await start.collect(max: 1 << 16)
            return // mounted
        }
        guard start.status == .accepted, let location = start.headers.first(name: "Location") else {
            throw await failure("POST \(startURL)", start)
        }
        _ = try? await start.collect(max: 1 << 16)
        let uploadURL = absolute(location, registry: ref.registry)
        let putURL = uploadURL + (uploadURL.contains("?") ? "&" : "?") + "digest=\(desc.digest)"
        let path = store.content.path(for: desc.digest)
        guard let size = store.content.size(of: desc.digest) else { throw ImageStoreError.blobNotFound(desc.digest) }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/octet-stream")
        let put = try await send(.PUT, putURL, registry: ref.registry, scope: scope, headers: headers,
                                 body: { .stream(BlobChunks(path: path), length: .known(size)) }, timeout: .hours(2))
        guard put.status == .created else { throw await failure("PUT blob \(desc.digest)", put) }
        _ = try? await put.collect(max: 1 << 16)
    }

    func pushManifest(_ desc: Descriptor, reference: String, to ref: ImageReference, scope: String) async throws {
        let bytes = try store.content.read(desc.digest)
        let url = "\(baseURL(ref.registry))/v2/\(ref.repository)/manifests/\(reference)"
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: desc.mediaType)
        let resp = try await send(.PUT, url, registry: ref.registry, scope: scope, headers: headers,
                                  body: { .bytes(ByteBuffer(bytes: bytes)) })
        guard resp.status == .created else { throw await failure("PUT \(url)", resp) }
        _ = try? await resp.collect(max: 1 << 16)
        if let echoed = resp.headers.first(name: "Docker-Content-Digest"), echoed != desc.digest.description {
            throw ImageStoreError.registry("PUT \(url): registry stored the manifest as \(echoed), expected \(desc.digest)")
        }
    }

    /// Upload locations may be absolute URLs or paths on the registry.
    func absolute(_ location: String, registry: String) -> String {
        if location.hasPrefix("http://") || location.hasPrefix("https://") { return location }
        return baseURL(registry) + (location.hasPrefix("/") ? location : "/" + location)
    }
}
