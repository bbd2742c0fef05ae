import Hummingbird
import NIOCore
import OCI

/// `PUT`/`GET`/`HEAD`/`DELETE /v2/<name>/manifests/<reference>`, by tag or by digest.
extension RegistryResponder {
    func getManifest(name: String, reference: String, head: Bool) async throws -> Response {
        try await requireRepository(name)
        let digest = try await resolve(name: name, reference: reference)
        guard let record = try await store.manifestRecord(name, digest),
              let bytes = try await store.readSmallBlob(digest)
        else { throw RegistryError.manifestUnknown(reference) }
        var headers: HTTPFields = [
            .contentType: record.descriptor.mediaType,
            .dockerContentDigest: digest.description,
            .contentLength: String(bytes.count),
            .eTag: "\"\(digest)\"",
        ]
        if let subject = record.subject { headers[.ociSubject] = subject.digest.description }
        return Response(status: .ok, headers: headers,
                        body: head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    func putManifest(name: String, reference: String, request: Request) async throws -> Response {
        let referenceDigest = try referenceAsDigest(reference)
        if referenceDigest == nil, !TagName.isValid(reference) {
            throw RegistryError(.manifestInvalid, "invalid tag", detail: reference)
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maximumManifestSize)
        } catch {
            throw RegistryError(.sizeInvalid, "manifest too large",
                                detail: "the registry accepts manifests up to \(Self.maximumManifestSize) bytes",
                                status: .contentTooLarge)
        }
        let bytes = Array(body.readableBytesView)
        let digest = BlobHasher.digest(of: bytes, algorithm: referenceDigest?.algorithm ?? .sha256)
        if let referenceDigest, referenceDigest != digest {
            throw RegistryError.digestInvalid(referenceDigest.description, "the manifest's content has digest \(digest)")
        }
        let parsed = try ManifestValidation.parse(bytes, contentType: request.headers[.contentType])
        try await checkReferences(parsed, name: name)

        try await store.storeSmallBlob(bytes, as: digest)
        let descriptor = Descriptor(mediaType: parsed.mediaType, digest: digest, size: Int64(bytes.count),
                                    annotations: parsed.annotations, artifactType: parsed.artifactType)
        try await store.putManifest(name, record: ManifestRecord(descriptor: descriptor, subject: parsed.subject),
                                    tag: referenceDigest == nil ? reference : nil)
        var headers: HTTPFields = [
            .location: "/v2/\(name)/manifests/\(digest)",
            .dockerContentDigest: digest.description,
            .contentLength: "0",
        ]
        if let subject = parsed.subject { headers[.ociSubject] = subject.digest.description }
        return Response(status: .created, headers: headers)
    }

    /// By digest: removes the manifest and the tags pointing at it. By tag: removes the tag.
    func deleteManifest(name: String, reference: String) async throws -> Response {
        try await requireRepository(name)
        if let digest = try referenceAsDigest(reference) {
            guard try await store.deleteManifest(name, digest) else { throw RegistryError.manifestUnknown(reference) }
        } else {
            guard TagName.isValid(reference), try await store.deleteTag(name, reference) else {
                throw RegistryError.manifestUnknown(reference)
            }
        }
        return Response(status: .accepted, headers: [.contentLength: "0"])
    }

    // MARK: Steps

    /// A reference with a colon is a digest (tags cannot contain one), else a tag.
    private func referenceAsDigest(_ reference: String) throws -> Digest? {
        guard reference.contains(":") else { return nil }
        return try parseDigest(reference)
    }

    private func resolve(name: String, reference: String) async throws -> Digest {
        if let digest = try referenceAsDigest(reference) { return digest }
        guard TagName.isValid(reference), let digest = try await store.resolveTag(name, reference) else {
            throw RegistryError.manifestUnknown(reference)
        }
        return digest
    }

    /// Everything a manifest points at must already be in this repository: blobs for an
    /// image manifest, manifests for an index. The subject need not exist (referrers may be
    /// pushed before their subject).
    private func checkReferences(_ manifest: ManifestValidation.Parsed, name: String) async throws {
        for blob in manifest.blobs {
            guard try await store.linkedBlobSize(name, blob.digest) != nil else {
                throw RegistryError(.manifestBlobUnknown, "manifest references a blob unknown to this repository",
                                    detail: blob.digest.description)
            }
        }
        for child in manifest.manifests {
            guard try await store.manifestRecord(name, child.digest) != nil else {
                throw RegistryError(.manifestBlobUnknown, "index references a manifest unknown to this repository",
                                    detail: child.digest.description)
            }
        }
    }
}
