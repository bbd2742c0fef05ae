import APIModel
import Foundation
import Hummingbird
import Logging
import PKI

/// Resource URLs: resolves the resource, verb and scope, authorizes, then serves the request
/// through the REST handlers (or the watch stream, or the node-agent seam) and renders the
/// result in the shape the client accepts.
struct ResourceEndpoint: Sendable {
    let configuration: APIServerConfiguration
    let registry: [String: ResourceInfo]
    let rest: RESTHandler
    let watch: WatchEndpoint
    let streams: NodeStreamEndpoint
    let logger: Logger
    let now: @Sendable () -> Date

    init(configuration: APIServerConfiguration, rest: RESTHandler, storage: ObjectStorage,
         nodeStreams: (any NodeStreams)?, logger: Logger, now: @escaping @Sendable () -> Date = { Date() },
         resources: [ResourceInfo] = ResourceRegistry.all) {
        self.configuration = configuration
        self.rest = rest
        self.watch = WatchEndpoint(storage: storage, logger: logger)
        self.streams = NodeStreamEndpoint(rest: rest, nodeStreams: nodeStreams)
        self.logger = logger
        self.now = now
        var registry: [String: ResourceInfo] = [:]
        for r in resources { registry["\(r.group)/\(r.version)/\(r.plural)"] = r }
        self.registry = registry
    }

    func respond(to request: Request, path: ResourcePath, query: URLQuery, user: AuthenticatedUser,
                 context: APIRequestContext) async -> Response {
        guard let resource = path.resolve(in: registry) else { return JSONResponses.make(StatusDocument.notFound()) }
        let subresource: SubresourceInfo?
        if let name = path.subresource {
            guard let info = resource.subresource(name) else { return JSONResponses.make(StatusDocument.notFound()) }
            subresource = info
        } else {
            subresource = nil
        }
        guard let verb = RequestVerb(method: request.method, path: path, query: query, resource: resource),
              (subresource?.verbs ?? resource.verbs).contains(verb.kubernetesVerb) || verb.isStreaming else {
            return JSONResponses.make(StatusDocument.methodNotAllowed(
                "the server does not allow this method on the requested resource"))
        }

        let attributes = AuthorizationAttributes(
            user: user, verb: verb.kubernetesVerb, isResourceRequest: true, apiGroup: resource.group,
            apiVersion: resource.version, resource: resource.plural, subresource: path.subresource ?? "",
            namespace: path.namespace ?? "", name: path.name ?? "", path: request.uri.path)
        if case .deny(let reason) = await configuration.authorizer.authorize(attributes) {
            return JSONResponses.make(StatusDocument.forbidden(
                "\(resource.qualifiedPlural) is forbidden: User \"\(user.name)\" cannot \(verb.kubernetesVerb) resource \"\(resource.plural)\": \(reason)"))
        }

        let shape = ResponseShape(accept: request.headers[.accept])
        let renderer = ResponseRenderer(resource: resource, shape: shape, query: query, now: now)
        switch verb {
        case .watch:
            return await watch.respond(request: request, resource: resource, namespace: path.namespace, name: path.name, query: query,
                                       renderer: renderer, channel: context.channel)
        case .stream(let name):
            return await streams.respond(resource: resource, subresource: name, path: path, query: query, user: user,
                                         request: request, channel: context.channel)
        case .rest(let restVerb):
            let body: [UInt8]
            do {
                body = try await RequestBodyReader.read(request, limit: configuration.maxRequestBodyBytes)
            } catch is RequestBodyReader.TooLarge {
                return JSONResponses.make(StatusDocument.tooLarge(limit: configuration.maxRequestBodyBytes))
            } catch {
                return JSONResponses.make(StatusDocument.badRequest("unable to read the request body: \(error)"))
            }
            let restRequest = RESTRequest(
                verb: restVerb, resource: resource, subresource: path.subresource, namespace: path.namespace,
                name: path.name, query: query.values, contentType: request.headers[.contentType], body: body,
                user: user, userAgent: request.headers[.userAgent])
            do {
                let response = try await rest.handle(restRequest)
                let reshape = (restVerb == .get || restVerb == .list) && (path.subresource == nil || path.subresource == "status")
                return renderer.render(response, reshape: reshape)
            } catch let error as APIError {
                return JSONResponses.make(error.code, error.status)
            } catch {
                logger.error("REST handler failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
                return JSONResponses.make(StatusDocument.internalError("\(error)"))
            }
        }
    }
}
