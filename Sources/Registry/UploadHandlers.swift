import Hummingbird
import NIOCore
import OCI

/// The blob upload endpoints: `POST /v2/<name>/blobs/uploads/` (start, monolithic, mount)
/// and `PATCH`/`PUT`/`GET`/`DELETE` on the upload's location.
extension RegistryResponder {
    func startUpload(name: String, request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        if let mount = query.get("mount") {
            let digest = try parseDigest(mount)
            if let from = query.get("from"), RepositoryName.isValid(from),
               try await store.linkedBlobSize(from, digest) != nil {
                try await store.linkBlob(name, digest)
                return blobCreated(name: name, digest: digest)
            }
            // The blob is not there to mount: the spec asks for an ordinary upload instead.
        }
        if let digestValue = query.get("digest") {
            let digest = try parseDigest(digestValue)
            var session = try await uploads.create(repository: name, checkedOut: true)
            do {
                _ = try await UploadWriter.append(request.body, to: &session, dataPath: store.layout.uploadData(session.id),
                                                  expectedLength: contentLength(request))
            } catch {
                await uploads.finish(session)
                throw error
            }
            return try await complete(session, name: name, digest: digest)
        }
        let session = try await uploads.create(repository: name)
        return uploadAccepted(name: name, session: session, status: .accepted)
    }

    func patchUpload(name: String, id: String, request: Request) async throws -> Response {
        var session = try await uploads.checkOut(id: id, repository: name)
        do {
            let expected = try expectedChunkLength(request, session: session, name: name)
            _ = try await UploadWriter.append(request.body, to: &session, dataPath: store.layout.uploadData(id),
                                              expectedLength: expected)
        } catch {
            await uploads.checkIn(session)
            throw error
        }
        await uploads.checkIn(session)
        return uploadAccepted(name: name, session: session, status: .accepted)
    }

    func completeUpload(name: String, id: String, request: Request) async throws -> Response {
        guard let digestValue = request.uri.queryParameters.get("digest") else {
            throw RegistryError(.digestInvalid, "completing an upload needs the digest query parameter", detail: id)
        }
        let digest = try parseDigest(digestValue)
        var session = try await uploads.checkOut(id: id, repository: name)
        do {
            let expected = try expectedChunkLength(request, session: session, name: name)
            if expected != 0 {
                _ = try await UploadWriter.append(request.body, to: &session, dataPath: store.layout.uploadData(id),
                                                  expectedLength: expected)
            }
        } catch {
            await uploads.checkIn(session)
            throw error
        }
        return try await complete(session, name: name, digest: digest)
    }

    func uploadStatus(name: String, id: String) async throws -> Response {
        let size = try await uploads.size(id: id, repository: name)
        return Response(status: .noContent, headers: [
            .location: uploadLocation(name: name, id: id),
            .range: ByteRanges.uploadRange(size: size),
            .dockerUploadUUID: id,
            .contentLength: "0",
        ])
    }

    func cancelUpload(name: String, id: String) async throws -> Response {
        let session = try await uploads.checkOut(id: id, repository: name)
        await uploads.finish(session)
        return Response(status: .noContent, headers: [.contentLength: "0"])
    }

    // MARK: Steps

    /// Verifies a finished upload against the digest the client claims, then makes it
    /// visible: content store, then the repository's link. A mismatch discards the upload.
    private func complete(_ session: UploadSession, name: String, digest: Digest) async throws -> Response {
        let dataPath = store.layout.uploadData(session.id)
        do {
            let actual: Digest
            switch digest.algorithm {
            case .sha256:
                if let hasher = session.hasher {
                    actual = hasher.sha256Digest()
                } else {
                    let size = session.size
                    actual = try await DiskIO.run { try BlobHasher.resume(fromFile: dataPath, length: size) }.sha256Digest()
                }
            case .sha512:
                actual = try await DiskIO.run { try BlobHasher.sha512(ofFile: dataPath) }
            }
            guard actual == digest else {
                await uploads.finish(session)
                throw RegistryError.digestInvalid(digest.description,
                                                  "the \(session.size) bytes uploaded have digest \(actual)")
            }
            try await store.commitBlob(staging: dataPath, as: digest)
            try await store.linkBlob(name, digest)
        } catch let error as RegistryError {
            throw error
        } catch {
            await uploads.checkIn(session)
            throw error
        }
        await uploads.finish(session)
        return blobCreated(name: name, digest: digest)
    }

    /// The number of bytes a chunk must carry, from `Content-Range` and `Content-Length`;
    /// refuses a chunk that does not start where the upload ends (416, as the spec asks).
    private func expectedChunkLength(_ request: Request, session: UploadSession, name: String) throws -> Int64? {
        let length = try contentLength(request)
        guard let header = request.headers[.contentRange] else { return length }
        guard let range = ByteRanges.parseContentRange(header) else {
            throw RegistryError(.blobUploadInvalid, "malformed Content-Range", detail: header,
                                status: .rangeNotSatisfiable, headers: uploadHeaders(name: name, session: session))
        }
        guard range.lowerBound == session.size else {
            throw RegistryError(.blobUploadInvalid, "chunk out of order",
                                detail: "chunk starts at byte \(range.lowerBound), upload holds \(session.size) bytes",
                                status: .rangeNotSatisfiable, headers: uploadHeaders(name: name, session: session))
        }
        if let length, length != Int64(range.count) {
            throw RegistryError(.sizeInvalid, "Content-Length does not match Content-Range",
                                detail: "Content-Range \(header) is \(range.count) bytes, Content-Length \(length)")
        }
        return Int64(range.count)
    }

    private func contentLength(_ request: Request) throws -> Int64? {
        guard let value = request.headers[.contentLength] else { return nil }
        guard let length = Int64(value), length >= 0 else {
            throw RegistryError(.sizeInvalid, "invalid Content-Length", detail: value)
        }
        return length
    }

    private func uploadHeaders(name: String, session: UploadSession) -> HTTPFields {
        [
            .location: uploadLocation(name: name, id: session.id),
            .range: ByteRanges.uploadRange(size: session.size),
            .dockerUploadUUID: session.id,
        ]
    }

    private func uploadAccepted(name: String, session: UploadSession, status: HTTPResponse.Status) -> Response {
        var headers = uploadHeaders(name: name, session: session)
        headers[.contentLength] = "0"
        return Response(status: status, headers: headers)
    }

    private func blobCreated(name: String, digest: Digest) -> Response {
        Response(status: .created, headers: [
            .location: "/v2/\(name)/blobs/\(digest)",
            .dockerContentDigest: digest.description,
            .contentLength: "0",
        ])
    }
}
