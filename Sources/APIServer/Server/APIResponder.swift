import APIModel
import Hummingbird
import Logging
import PKI

/// The front door: authenticates, routes by path, authorizes, and hands resource requests to
/// `ResourceEndpoint`. Never lets an error escape as a bare 500: every failure is a Status.
struct APIResponder: HTTPResponder {
    typealias Context = APIRequestContext

    let configuration: APIServerConfiguration
    let authenticator: RequestAuthenticator
    let discovery: DiscoveryEndpoints
    let resources: ResourceEndpoint
    let healthChecks: [HealthCheck]
    let readyChecks: [HealthCheck]
    let logger: Logger

    /// Paths anonymous clients may read even over TLS, as Kubernetes' `system:public-info-viewer`
    /// role allows: kubectl's version dispatcher and health probes need no credentials.
    static let publicPaths: Set<String> = ["version", "healthz", "livez", "readyz"]

    func respond(to request: Request, context: APIRequestContext) async throws -> Response {
        let segments = request.uri.path.split(separator: "/", omittingEmptySubsequences: true)
            .map { URLQuery.decodePathSegment($0) }
        let query = URLQuery(request.uri.query)

        let user: AuthenticatedUser
        switch await authenticator.authenticate(headers: request.headers, channel: context.channel) {
        case .authenticated(let authenticated):
            user = authenticated
        case .rejected(let why):
            logger.debug("authentication failed", metadata: ["reason": "\(why)"])
            return JSONResponses.make(StatusDocument.unauthorized())
        case .anonymous:
            guard !authenticator.tlsEnabled || Self.publicPaths.contains(segments.first ?? "") else {
                return JSONResponses.make(StatusDocument.unauthorized())
            }
            user = RequestAuthenticator.anonymousUser
        }

        if let resourcePath = Self.resourcePath(segments) {
            return await resources.respond(to: request, path: resourcePath, query: query, user: user, context: context)
        }
        return await nonResource(request, segments: segments, query: query, user: user)
    }

    /// A resource URL: `/api/v1/<more>` or `/apis/<group>/<version>/<more>`.
    static func resourcePath(_ segments: [String]) -> ResourcePath? {
        if segments.count > 2, segments[0] == "api" {
            return ResourcePath(groupVersion: GroupVersion(group: "", version: segments[1]), segments: Array(segments.dropFirst(2)))
        }
        if segments.count > 3, segments[0] == "apis" {
            return ResourcePath(groupVersion: GroupVersion(group: segments[1], version: segments[2]), segments: Array(segments.dropFirst(3)))
        }
        return nil
    }

    private func nonResource(_ request: Request, segments: [String], query: URLQuery, user: AuthenticatedUser) async -> Response {
        let path = "/" + segments.joined(separator: "/")
        guard request.method == .get || request.method == .head else {
            return JSONResponses.make(StatusDocument.methodNotAllowed("the server does not allow this method on \(path)"))
        }
        let attributes = AuthorizationAttributes(user: user, verb: "get", isResourceRequest: false, path: path)
        if case .deny(let reason) = await configuration.authorizer.authorize(attributes) {
            return JSONResponses.make(StatusDocument.forbidden("forbidden: User \"\(user.name)\" cannot get path \"\(path)\": \(reason)"))
        }
        let accept = request.headers[.accept]
        switch segments.first ?? "" {
        case "":
            return JSONResponses.make(200, ["paths": .array(Self.rootPaths(discovery.resources).map { .string($0) })])
        case "version" where segments.count == 1:
            return JSONResponses.make(200, VersionEndpoint.document(configuration.version))
        case let endpoint where HealthEndpoints.names.contains(endpoint) && segments.count <= 2:
            let checks = endpoint == "readyz" ? healthChecks + readyChecks : healthChecks
            return await HealthEndpoints.respond(endpoint: endpoint, only: segments.count == 2 ? segments[1] : nil,
                                                 query: query, checks: checks)
        case "api":
            if segments.count == 1 { return discovery.root(core: true, accept: accept) }
            return discovery.resourceList(GroupVersion(group: "", version: segments[1]))
        case "apis":
            switch segments.count {
            case 1: return discovery.root(core: false, accept: accept)
            case 2: return discovery.group(segments[1])
            default: return discovery.resourceList(GroupVersion(group: segments[1], version: segments[2]))
            }
        case "openapi", "swagger-2.0.0.pb-v1":
            return OpenAPIEndpoints.respond(path: segments, query: query, accept: accept)
        default:
            return JSONResponses.make(StatusDocument.notFound())
        }
    }

    /// The `GET /` index of served paths.
    static func rootPaths(_ resources: [ResourceInfo]) -> [String] {
        var paths = ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v2", "/openapi/v3", "/readyz", "/version"]
        for r in resources where !r.group.isEmpty {
            for path in ["/apis/\(r.group)", "/apis/\(r.group)/\(r.version)"] where !paths.contains(path) { paths.append(path) }
        }
        return paths.sorted()
    }
}
