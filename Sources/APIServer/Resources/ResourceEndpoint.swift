import APIModel
import Foundation
import Hummingbird
import Logging
import PKI

/// Resource URLs: resolves the resource and verb, then serves them through the REST handlers.
struct ResourceEndpoint: Sendable {
    let configuration: APIServerConfiguration
    let registry: [String: ResourceInfo]
    let nodeStreams: (any NodeStreams)?
    let watch: WatchEndpoint
    let logger: Logger

    init(configuration: APIServerConfiguration, storage: ObjectStorage, nodeStreams: (any NodeStreams)?, logger: Logger,
         resources: [ResourceInfo] = ResourceRegistry.all) {
        self.configuration = configuration
        self.watch = WatchEndpoint(storage: storage, logger: logger)
        self.nodeStreams = nodeStreams
        self.logger = logger
        var registry: [String: ResourceInfo] = [:]
        for r in resources { registry["\(r.group)/\(r.version)/\(r.plural)"] = r }
        self.registry = registry
    }

    func respond(to request: Request, path: ResourcePath, query: URLQuery, user: AuthenticatedUser,
                 context: APIRequestContext) async -> Response {
        guard let resource = path.resolve(in: registry) else { return JSONResponses.make(StatusDocument.notFound()) }
        if request.method == .get, path.subresource == nil, path.legacyWatch || query.flag("watch") {
            let renderer = ResponseRenderer(resource: resource, shape: ResponseShape(accept: request.headers[.accept]),
                                            query: query, now: { Date() })
            return await watch.respond(resource: resource, namespace: path.namespace, name: path.name, query: query,
                                       renderer: renderer, channel: context.channel)
        }
        return JSONResponses.make(StatusDocument.serviceUnavailable("resource storage is not available yet"))
    }
}
