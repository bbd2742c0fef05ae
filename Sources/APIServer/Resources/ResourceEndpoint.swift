import APIModel
import Hummingbird
import Logging
import PKI

/// Resource URLs: resolves the resource and verb, then serves them through the REST handlers.
struct ResourceEndpoint: Sendable {
    let configuration: APIServerConfiguration
    let registry: [String: ResourceInfo]
    let nodeStreams: (any NodeStreams)?
    let logger: Logger

    init(configuration: APIServerConfiguration, nodeStreams: (any NodeStreams)?, logger: Logger,
         resources: [ResourceInfo] = ResourceRegistry.all) {
        self.configuration = configuration
        self.nodeStreams = nodeStreams
        self.logger = logger
        var registry: [String: ResourceInfo] = [:]
        for r in resources { registry["\(r.group)/\(r.version)/\(r.plural)"] = r }
        self.registry = registry
    }

    func respond(to request: Request, path: ResourcePath, query: URLQuery, user: AuthenticatedUser,
                 context: APIRequestContext) async -> Response {
        guard path.resolve(in: registry) != nil else { return JSONResponses.make(StatusDocument.notFound()) }
        return JSONResponses.make(StatusDocument.serviceUnavailable("resource storage is not available yet"))
    }
}
