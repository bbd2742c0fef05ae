import APIModel
import Logging
import NIOHTTP1

/// The client of the Kubernetes API that the scheduler, the controllers and the node agent
/// use: one HTTP/1.1+TLS connection pool to the apiserver, JSON bodies, every call a real
/// request (nothing is short-circuited in process, so a component behaves the same whether
/// the apiserver runs beside it or on another machine).
///
/// Unstructured calls take and return `JSONValue` objects whole, so an update never drops a
/// field the caller did not model; typed calls wrap the same objects in `KubernetesObject`
/// views.
public final class ClusterClient: Sendable {
    public let connection: ClusterConnection
    public let userAgent: String
    public let logger: Logger
    let transport: APITransport

    /// `queriesPerSecond`/`burst` are the client-side rate limit (client-go's QPS/Burst);
    /// nil means unlimited.
    public init(connection: ClusterConnection, userAgent: String = "skiff", queriesPerSecond: Double? = nil,
                burst: Int = 100, logger: Logger = Logger(label: "skiff.client")) throws {
        self.connection = connection
        self.userAgent = userAgent
        self.logger = logger
        let limiter = queriesPerSecond.map { TokenBucket(queriesPerSecond: $0, burst: burst) }
        self.transport = try APITransport(connection: connection, userAgent: userAgent, rateLimiter: limiter, logger: logger)
    }

    /// Closes the connection pool; every call after this fails.
    public func shutdown() async throws {
        try await transport.shutdown()
    }

    // MARK: Unstructured

    public func get(_ resource: ResourceRef, namespace: String? = nil, name: String,
                    subresource: String? = nil) async throws -> JSONValue {
        try await transport.json(method: .GET, path: APIPaths.path(resource, namespace: namespace, name: name, subresource: subresource))
    }

    /// One page; see `listAll` for every page.
    public func list(_ resource: ResourceRef, namespace: String? = nil, options: ListOptions = ListOptions()) async throws -> ObjectList {
        let path = APIPaths.withQuery(APIPaths.path(resource, namespace: namespace), APIPaths.listQuery(options))
        let document = try await transport.json(method: .GET, path: path)
        let metadata = document["metadata"]
        let token = metadata?["continue"]?.stringValue
        return ObjectList(items: Self.items(of: document, resource: resource),
                          resourceVersion: metadata?["resourceVersion"]?.stringValue ?? "",
                          continueToken: token?.isEmpty == false ? token : nil)
    }

    /// Follows continue tokens until the list is complete.
    public func listAll(_ resource: ResourceRef, namespace: String? = nil, options: ListOptions = ListOptions()) async throws -> ObjectList {
        var page = try await list(resource, namespace: namespace, options: options)
        var items = page.items
        var seenTokens: Set<String> = []
        while let token = page.continueToken {
            guard seenTokens.insert(token).inserted else {
                throw ClientError.transport("list \(resource): the apiserver repeated continue token \(token)")
            }
            var next = options
            next.continueToken = token
            // A continued list must not carry a resourceVersion (the token pins it).
            next.resourceVersion = nil
            next.resourceVersionMatch = nil
            page = try await list(resource, namespace: namespace, options: next)
            items.append(contentsOf: page.items)
        }
        return ObjectList(items: items, resourceVersion: page.resourceVersion, continueToken: nil)
    }

    /// POST; `namespace` defaults to the object's `metadata.namespace`. With `subresource`
    /// (`binding`, `eviction`) `name` names the parent object.
    public func create(_ resource: ResourceRef, namespace: String? = nil, _ object: JSONValue,
                       name: String? = nil, subresource: String? = nil, dryRun: Bool = false) async throws -> JSONValue {
        let namespace = Self.namespace(for: resource, explicit: namespace, object: object)
        var path: String
        if let subresource {
            guard let name = name ?? (object.name.isEmpty ? nil : object.name) else {
                throw ClientError.configuration("create \(resource)/\(subresource): the parent object's name is required")
            }
            path = APIPaths.path(resource, namespace: namespace, name: name, subresource: subresource)
        } else {
            path = APIPaths.path(resource, namespace: namespace)
        }
        if dryRun { path = APIPaths.withQuery(path, [("dryRun", "All")]) }
        return try await transport.json(method: .POST, path: path, body: Self.withTypeMeta(object, resource: resource, subresource: subresource))
    }

    /// PUT of the whole object (name and namespace from its metadata; its resourceVersion is
    /// the optimistic-concurrency precondition). `subresource` `status` or `scale`.
    public func update(_ resource: ResourceRef, _ object: JSONValue, subresource: String? = nil) async throws -> JSONValue {
        guard !object.name.isEmpty else { throw ClientError.configuration("update \(resource): the object has no metadata.name") }
        let namespace = Self.namespace(for: resource, explicit: nil, object: object)
        let path = APIPaths.path(resource, namespace: namespace, name: object.name, subresource: subresource)
        return try await transport.json(method: .PUT, path: path, body: Self.withTypeMeta(object, resource: resource, subresource: subresource))
    }

    public func patch(_ resource: ResourceRef, namespace: String? = nil, name: String, type: PatchType,
                      _ patch: JSONValue, subresource: String? = nil, fieldManager: String? = nil,
                      force: Bool = false) async throws -> JSONValue {
        var query: [(String, String)] = []
        if let manager = fieldManager ?? (type == .apply ? userAgent : nil) { query.append(("fieldManager", manager)) }
        if force { query.append(("force", "true")) }
        let path = APIPaths.withQuery(APIPaths.path(resource, namespace: namespace, name: name, subresource: subresource), query)
        return try await transport.json(method: .PATCH, path: path, body: patch, contentType: type.rawValue)
    }

    /// Returns the object as the apiserver answered (the deleted object, or the object now
    /// carrying deletionTimestamp when finalizers or a grace period keep it).
    @discardableResult
    public func delete(_ resource: ResourceRef, namespace: String? = nil, name: String,
                       options: DeleteOptions = DeleteOptions()) async throws -> JSONValue {
        let path = APIPaths.path(resource, namespace: namespace, name: name)
        return try await transport.json(method: .DELETE, path: path, body: options.json)
    }

    /// DELETE of a collection (label/field selected).
    public func deleteCollection(_ resource: ResourceRef, namespace: String? = nil, options: ListOptions,
                                 deleteOptions: DeleteOptions = DeleteOptions()) async throws {
        let path = APIPaths.withQuery(APIPaths.path(resource, namespace: namespace), APIPaths.listQuery(options))
        _ = try await transport.json(method: .DELETE, path: path, body: deleteOptions.json)
    }

    /// One watch request: events until the server ends it (timeout), the stream is dropped
    /// by the consumer, or an error. A 410 arrives as an `ERROR` event with a Status of
    /// code 410 (as the apiserver sends it) or as a thrown `ClientError` with `isGone`.
    public func watch(_ resource: ResourceRef, namespace: String? = nil,
                      options: ListOptions = ListOptions()) -> AsyncThrowingStream<WatchEvent, any Error> {
        let path = APIPaths.withQuery(APIPaths.path(resource, namespace: namespace), APIPaths.listQuery(options, watch: true))
        let (stream, continuation) = AsyncThrowingStream<WatchEvent, any Error>.makeStream()
        let transport = self.transport
        let task = Task { await transport.runWatch(path: path, into: continuation) }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }

    /// A GET of any path (`/version`, `/readyz`), body returned raw.
    public func raw(method: String, path: String, body: [UInt8]? = nil, contentType: String? = nil) async throws -> (status: Int, body: [UInt8]) {
        try await transport.send(method: HTTPMethod(rawValue: method.uppercased()), path: path, body: body, contentType: contentType)
    }

    // MARK: Helpers

    /// The explicit namespace, else the object's, else `default` for a namespaced resource.
    static func namespace(for resource: ResourceRef, explicit: String?, object: JSONValue) -> String? {
        guard resource.namespaced else { return nil }
        if let explicit, !explicit.isEmpty { return explicit }
        if let own = object.namespace, !own.isEmpty { return own }
        return "default"
    }

    /// Fills in `apiVersion` and `kind` when the caller left them out (the object itself, not
    /// a subresource body, which names its own kind).
    static func withTypeMeta(_ object: JSONValue, resource: ResourceRef, subresource: String?) -> JSONValue {
        guard subresource == nil || subresource == "status", case .object(var fields) = object else { return object }
        if fields["apiVersion"] == nil { fields["apiVersion"] = .string(resource.apiVersion) }
        if fields["kind"] == nil { fields["kind"] = .string(resource.kind) }
        return .object(fields)
    }

    /// A list's items, each given the kind and apiVersion the list elides.
    static func items(of list: JSONValue, resource: ResourceRef) -> [JSONValue] {
        guard let items = list["items"]?.arrayValue else { return [] }
        return items.map { withTypeMeta($0, resource: resource, subresource: nil) }
    }

    // MARK: Typed

    public func get<Object: KubernetesObject>(_ type: Object.Type, namespace: String? = nil, name: String) async throws -> Object {
        Object(try await get(Object.resource, namespace: namespace, name: name))
    }

    public func list<Object: KubernetesObject>(_ type: Object.Type, namespace: String? = nil,
                                               options: ListOptions = ListOptions()) async throws -> [Object] {
        try await listAll(Object.resource, namespace: namespace, options: options).items.map(Object.init)
    }

    public func create<Object: KubernetesObject>(_ object: Object) async throws -> Object {
        Object(try await create(Object.resource, object.object))
    }

    public func update<Object: KubernetesObject>(_ object: Object) async throws -> Object {
        Object(try await update(Object.resource, object.object))
    }

    public func updateStatus<Object: KubernetesObject>(_ object: Object) async throws -> Object {
        Object(try await update(Object.resource, object.object, subresource: "status"))
    }

    public func delete<Object: KubernetesObject>(_ type: Object.Type, namespace: String? = nil, name: String,
                                                 options: DeleteOptions = DeleteOptions()) async throws {
        try await delete(Object.resource, namespace: namespace, name: name, options: options)
    }
}
