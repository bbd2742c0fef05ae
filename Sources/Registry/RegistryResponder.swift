import Hummingbird
import Logging
import NIOCore
import OCI

/// Answers the distribution-spec's HTTP API from a `RepositoryStore`.
///
/// Routing is done by hand (`RegistryRoute`) because repository names contain slashes,
/// which a path-pattern router cannot capture unambiguously. Handlers throw `RegistryError`
/// for every refusal; this type turns it into the spec's JSON error body.
struct RegistryResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let store: RepositoryStore
    let uploads: UploadSessions
    let logger: Logger

    /// Largest manifest accepted; the spec asks registries to take at least 4 MiB.
    static let maximumManifestSize = 4 << 20

    func respond(to request: Request, context: Context) async throws -> Response {
        let isHead = request.method == .head
        var response: Response
        do {
            response = try await dispatch(request)
        } catch let error as RegistryError {
            logger.debug("refused request", metadata: [
                "method": "\(request.method)", "path": "\(request.uri.path)", "error": "\(error)",
            ])
            response = error.response(forHead: isHead)
        } catch {
            logger.error("request failed", metadata: [
                "method": "\(request.method)", "path": "\(request.uri.path)", "error": "\(error)",
            ])
            let body = DistributionErrorBody(errors: [.init(code: "UNKNOWN", message: "internal error", detail: "\(error)")])
            var buffer = (try? RegistryJSON.encode(body)) ?? ByteBuffer()
            if isHead { buffer = ByteBuffer() }
            response = Response(status: .internalServerError, headers: [.contentType: "application/json"],
                                body: ResponseBody(byteBuffer: buffer))
        }
        response.headers[.dockerDistributionAPIVersion] = "registry/2.0"
        return response
    }

    private func dispatch(_ request: Request) async throws -> Response {
        guard let route = RegistryRoute(path: request.uri.path) else {
            throw RegistryError(.unsupported, "no such endpoint", detail: "\(request.method) \(request.uri.path)",
                                status: .notFound)
        }
        if let name = route.repositoryName, !RepositoryName.isValid(name) {
            throw RegistryError.nameInvalid(name)
        }
        let method = request.method
        switch (route, method) {
        case (.base, .get), (.base, .head):
            return Response(status: .ok, headers: [.contentType: "application/json", .contentLength: "2"],
                            body: method == .head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(string: "{}")))
        case (.catalog, .get):
            return try await catalog(request)
        case (.blob(let name, let digest), .get), (.blob(let name, let digest), .head):
            return try await getBlob(name: name, digest: digest, request: request)
        case (.blob(let name, let digest), .delete):
            return try await deleteBlob(name: name, digest: digest)
        case (.uploads(let name), .post):
            return try await startUpload(name: name, request: request)
        case (.upload(let name, let id), .patch):
            return try await patchUpload(name: name, id: id, request: request)
        case (.upload(let name, let id), .put):
            return try await completeUpload(name: name, id: id, request: request)
        case (.upload(let name, let id), .get):
            return try await uploadStatus(name: name, id: id)
        case (.upload(let name, let id), .delete):
            return try await cancelUpload(name: name, id: id)
        case (.manifest(let name, let reference), .get), (.manifest(let name, let reference), .head):
            return try await getManifest(name: name, reference: reference, head: method == .head)
        case (.manifest(let name, let reference), .put):
            return try await putManifest(name: name, reference: reference, request: request)
        case (.manifest(let name, let reference), .delete):
            return try await deleteManifest(name: name, reference: reference)
        case (.tags(let name), .get):
            return try await listTags(name: name, request: request)
        case (.referrers(let name, let digest), .get):
            return try await listReferrers(name: name, digest: digest, request: request)
        default:
            throw RegistryError(.unsupported, "method not allowed on this endpoint",
                                detail: "\(method) \(request.uri.path)", status: .methodNotAllowed)
        }
    }

    // MARK: Helpers shared by the handlers

    /// Parses a digest from a URL or query, answering `DIGEST_INVALID` for anything else.
    func parseDigest(_ value: String) throws -> Digest {
        do { return try Digest(parsing: value) } catch {
            throw RegistryError(.digestInvalid, "invalid digest", detail: "\(error)")
        }
    }

    func requireRepository(_ name: String) async throws {
        guard try await store.repositoryExists(name) else { throw RegistryError.nameUnknown(name) }
    }

    /// `/v2/<name>/blobs/uploads/<id>`: where the client sends the next request of an upload.
    func uploadLocation(name: String, id: String) -> String { "/v2/\(name)/blobs/uploads/\(id)" }
}
