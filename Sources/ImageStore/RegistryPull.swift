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

/// What a pull stored.
public struct PullResult: Sendable {
    /// The name recorded (`registry/repo:tag` or `registry/repo@digest`).
    public var name: String
    /// The manifest or index the name points at.
    public var target: Descriptor
    /// The platform manifest that was fetched with its blobs.
    public var manifest: Descriptor
    /// Blobs downloaded (those already present were skipped).
    public var fetchedBlobs: Int
}

extension RegistryClient {
    /// Pulls `ref` by tag or digest: the manifest (an index is resolved to the configured
    /// platform), the config and the layers, fetched concurrently and each verified against
    /// its digest; then names the image `ref`.
    public func pull(_ ref: ImageReference) async throws -> PullResult {
        let scope = "repository:\(ref.repository):pull"
        let (topBytes, topType) = try await fetchManifest(ref, reference: ref.manifestReference, scope: scope)
        let topDigest = try Digest.sha256(of: topBytes)
        if let want = ref.digest {
            let actual = try DigestHasher.digest(of: topBytes, want.algorithm)
            guard actual == want else { throw ImageStoreError.digestMismatch(expected: want, actual: actual, what: "manifest of \(ref)") }
        }
        let top = Descriptor(mediaType: topType, digest: ref.digest ?? topDigest, size: Int64(topBytes.count))
        try store.content.write(topBytes, expected: top.digest, what: "manifest of \(ref)")

        var manifestDesc = top
        var manifestBytes = topBytes
        let env = try store.envelope(top.digest).envelope
        if env.isIndex {
            let index = try JSONDecoder().decode(Index.self, from: Data(topBytes))
            guard let pick = index.manifest(for: options.platform) else {
                let have = index.manifests.compactMap { $0.platform.map { "\($0.os)/\($0.architecture)" } }
                throw ImageStoreError.registry("\(ref): no image for \(options.platform.os)/\(options.platform.architecture) (has: \(have.joined(separator: ", ")))")
            }
            manifestDesc = pick
            if store.content.contains(pick.digest) {
                manifestBytes = try store.content.read(pick.digest)
            } else {
                (manifestBytes, _) = try await fetchManifest(ref, reference: pick.digest.description, scope: scope)
                try store.content.write(manifestBytes, expected: pick.digest, what: "manifest \(pick.digest) of \(ref)")
            }
        }
        let manifest: Manifest
        do { manifest = try JSONDecoder().decode(Manifest.self, from: Data(manifestBytes)) } catch {
            throw ImageStoreError.invalidImage("manifest \(manifestDesc.digest) of \(ref) does not decode: \(error)")
        }
        let blobs = [manifest.config] + manifest.layers
        let fetched = try await withThrowingTaskGroup(of: Int.self) { group in
            var next = 0
            var count = 0
            for _ in 0..<max(1, options.concurrency) where next < blobs.count {
                let b = blobs[next]
                next += 1
                group.addTask { try await self.fetchBlob(ref, b, scope: scope) ? 1 : 0 }
            }
            while let n = try await group.next() {
                count += n
                if next < blobs.count {
                    let b = blobs[next]
                    next += 1
                    group.addTask { try await self.fetchBlob(ref, b, scope: scope) ? 1 : 0 }
                }
            }
            return count
        }
        // Check the image is usable before naming it.
        _ = try store.resolve(top, platform: options.platform)
        try store.tag(ref, target: top)
        logger.debug("pulled", metadata: ["image": "\(ref)", "digest": "\(top.digest)", "fetched": "\(fetched)"])
        return PullResult(name: ref.description, target: top, manifest: manifestDesc, fetchedBlobs: fetched)
    }

    /// GETs a manifest; returns its bytes and media type.
    func fetchManifest(_ ref: ImageReference, reference: String, scope: String) async throws -> ([UInt8], String) {
        let url = "\(baseURL(ref.registry))/v2/\(ref.repository)/manifests/\(reference)"
        var headers = HTTPHeaders()
        headers.add(name: "Accept", value: Self.manifestAccept)
        let resp = try await send(.GET, url, registry: ref.registry, scope: scope, headers: headers)
        guard resp.status == .ok else { throw await failure("GET \(url)", resp) }
        let bytes: [UInt8]
        do { bytes = try await resp.collect(max: 4 << 20) } catch {
            throw ImageStoreError.registry("GET \(url): \(error)")
        }
        var type = resp.headers.first(name: "Content-Type")?.split(separator: ";").first.map { String($0).trimmingCharacters(in: .whitespaces) }
        if type == nil || !MediaType.allManifests.contains(type ?? "") {
            let env = try? JSONDecoder().decode(ManifestEnvelope.self, from: Data(bytes))
            if env?.schemaVersion == 1 { throw ImageStoreError.unsupported("\(url): Docker schema 1 manifests are not supported") }
            type = env?.mediaType ?? (env?.isIndex == true ? MediaType.ociIndex : MediaType.ociManifest)
        }
        return (bytes, type ?? MediaType.ociManifest)
    }

    /// Downloads one blob into the content store unless a good copy is there (a present blob
    /// is re-hashed: one that rotted on disk is dropped and fetched again). The download goes
    /// to a partial file under `ingest/`; an interrupted transfer is resumed with `Range` from
    /// the bytes already there (also across runs). Returns whether anything was fetched.
    func fetchBlob(_ ref: ImageReference, _ desc: Descriptor, scope: String) async throws -> Bool {
        let content = store.content
        if content.contains(desc.digest) {
            do {
                try content.verify(desc.digest)
                return false
            } catch ImageStoreError.corruptBlob {
                logger.warning("stored blob is corrupt; fetching it again", metadata: ["blob": "\(desc.digest)"])
            }
        }
        let partial = content.partialPath(for: desc.digest)
        let url = "\(baseURL(ref.registry))/v2/\(ref.repository)/blobs/\(desc.digest)"
        let fd = try FS.open(partial, O_RDWR | O_CREAT, 0o644)
        defer { close(fd) }
        // One downloader per blob, also across processes.
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        if content.contains(desc.digest) { return false }
        var lastError: Error?
        for attempt in 0...options.retries {
            var st = stat()
            try FS.check(fstat(fd, &st), "fstat \(partial)")
            var have = Int64(st.st_size)
            if have > desc.size {
                try FS.check(ftruncate(fd, 0), "truncate \(partial)")
                have = 0
            }
            if have < desc.size || desc.size == 0 {
                var headers = HTTPHeaders()
                if have > 0 { headers.add(name: "Range", value: "bytes=\(have)-") }
                do {
                    let resp = try await send(.GET, url, registry: ref.registry, scope: scope, headers: headers, timeout: .hours(2))
                    switch resp.status {
                    case .partialContent where have > 0:
                        let start = resp.headers.first(name: "Content-Range").flatMap { Self.rangeStart($0) }
                        guard start == have else {
                            _ = try? await resp.collect(max: 0)
                            try FS.check(ftruncate(fd, 0), "truncate \(partial)")
                            throw ImageStoreError.registry("GET \(url): server resumed at \(start.map(String.init) ?? "?"), not \(have)")
                        }
                        logger.debug("resuming blob download", metadata: ["blob": "\(desc.digest)", "offset": "\(have)"])
                    case .ok:
                        try FS.check(ftruncate(fd, 0), "truncate \(partial)")
                        have = 0
                    case .rangeNotSatisfiable:
                        try FS.check(ftruncate(fd, 0), "truncate \(partial)")
                        throw ImageStoreError.registry("GET \(url): range from \(have) not satisfiable")
                    default:
                        throw await failure("GET \(url)", resp)
                    }
                    var offset = have
                    for try await var chunk in resp.body {
                        guard offset + Int64(chunk.readableBytes) <= desc.size else {
                            try FS.check(ftruncate(fd, 0), "truncate \(partial)")
                            throw ImageStoreError.sizeMismatch(expected: desc.size, actual: offset + Int64(chunk.readableBytes),
                                                               what: "blob \(desc.digest) from \(url)")
                        }
                        let bytes = chunk.readBytes(length: chunk.readableBytes) ?? []
                        try bytes.withUnsafeBytes { b in
                            var done = 0
                            while done < b.count {
                                guard let base = b.baseAddress else { break }
                                let n = pwrite(fd, base.advanced(by: done), b.count - done, off_t(offset) + off_t(done))
                                if n < 0 {
                                    if errno == EINTR { continue }
                                    throw ImageStoreError.system(operation: "write \(partial)", errno: errno)
                                }
                                done += n
                            }
                        }
                        offset += Int64(bytes.count)
                    }
                } catch let e as ImageStoreError {
                    if case .registry = e { lastError = e } else { throw e }
                    logger.debug("blob download interrupted", metadata: ["blob": "\(desc.digest)", "attempt": "\(attempt)", "error": "\(e)"])
                    continue
                } catch {
                    lastError = error
                    logger.debug("blob download interrupted", metadata: ["blob": "\(desc.digest)", "attempt": "\(attempt)", "error": "\(error)"])
                    continue
                }
            }
            try FS.check(fstat(fd, &st), "fstat \(partial)")
            guard Int64(st.st_size) == desc.size else {
                lastError = ImageStoreError.sizeMismatch(expected: desc.size, actual: Int64(st.st_size), what: "blob \(desc.digest) from \(url)")
                continue
            }
            try FS.check(fsync(fd), "fsync \(partial)")
            let check = HashingSource(FileSource(fd: fd, what: partial), algorithm: desc.digest.algorithm)
            while try !check.next().isEmpty {}
            let actual = try check.digest()
            guard actual == desc.digest else {
                try FS.check(ftruncate(fd, 0), "truncate \(partial)")
                throw ImageStoreError.digestMismatch(expected: desc.digest, actual: actual, what: "blob from \(url)")
            }
            try content.commitPartial(partial, as: desc.digest)
            return true
        }
        throw ImageStoreError.registry("GET \(url): gave up after \(options.retries + 1) attempts: \(lastError.map { "\($0)" } ?? "incomplete")")
    }

    /// The first byte position of `Content-Range: bytes START-END/TOTAL`.
    static func rangeStart(_ header: String) -> Int64? {
        guard let r = header.split(separator: " ").last, let dash = r.firstIndex(of: "-") else { return nil }
        return Int64(r[..<dash])
    }
}
