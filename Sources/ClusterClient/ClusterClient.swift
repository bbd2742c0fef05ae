import APIModel
import Logging

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

    /// `queriesPerSecond`/`burst` are the client-side rate limit (client-go's QPS/Burst);
    /// nil means unlimited.
    public init(connection: ClusterConnection, userAgent: String = "skiff", queriesPerSecond: Double? = nil,
                burst: Int = 100, logger: Logger = Logger(label: "skiff.client")) throws {
        self.connection = connection
        self.userAgent = userAgent
        self.logger = logger
    }

    /// Closes the connection pool; every call after this fails.
    public func shutdown() async throws {}

    // MARK: Unstructured

    public func get(_ resource: ResourceRef, namespace: String? = nil, name: String,
                    subresource: String? = nil) async throws -> JSONValue {
        throw ClientError.unimplemented("get")
    }

    /// One page; see `listAll` for every page.
    public func list(_ resource: ResourceRef, namespace: String? = nil, options: ListOptions = ListOptions()) async throws -> ObjectList {
        throw ClientError.unimplemented("list")
    }

    /// Follows continue tokens until the list is complete.
    public func listAll(_ resource: ResourceRef, namespace: String? = nil, options: ListOptions = ListOptions()) async throws -> ObjectList {
        throw ClientError.unimplemented("listAll")
    }

    /// POST; `namespace` defaults to the object's `metadata.namespace`. With `subresource`
    /// (`binding`, `eviction`) `name` names the parent object.
    public func create(_ resource: ResourceRef, namespace: String? = nil, _ object: JSONValue,
                       name: String? = nil, subresource: String? = nil, dryRun: Bool = false) async throws -> JSONValue {
        throw ClientError.unimplemented("create")
    }

    /// PUT of the whole object (name and namespace from its metadata; its resourceVersion is
    /// the optimistic-concurrency precondition). `subresource` `status` or `scale`.
    public func update(_ resource: ResourceRef, _ object: JSONValue, subresource: String? = nil) async throws -> JSONValue {
        throw ClientError.unimplemented("update")
    }

    public func patch(_ resource: ResourceRef, namespace: String? = nil, name: String, type: PatchType,
                      _ patch: JSONValue, subresource: String? = nil, fieldManager: String? = nil,
                      force: Bool = false) async throws -> JSONValue {
        throw ClientError.unimplemented("patch")
    }

    /// Returns the object as the apiserver answered (the deleted object, or the object now
    /// carrying deletionTimestamp when finalizers or a grace period keep it).
    @discardableResult
    public func delete(_ resource: ResourceRef, namespace: String? = nil, name: String,
                       options: DeleteOptions = DeleteOptions()) async throws -> JSONValue {
        throw ClientError.unimplemented("delete")
    }

    /// DELETE of a collection (label/field selected).
    public func deleteCollection(_ resource: ResourceRef, namespace: String? = nil, options: ListOptions,
                                 deleteOptions: DeleteOptions = DeleteOptions()) async throws {
        throw ClientError.unimplemented("deleteCollection")
    }

    /// One watch request: events until the server ends it (timeout), the stream is dropped
    /// by the consumer, or an error. A 410 arrives as an `ERROR` event with a Status of
    /// code 410 (as the apiserver sends it) or as a thrown `ClientError` with `isGone`.
    public func watch(_ resource: ResourceRef, namespace: String? = nil,
                      options: ListOptions = ListOptions()) -> AsyncThrowingStream<WatchEvent, any Error> {
        AsyncThrowingStream { $0.finish(throwing: ClientError.unimplemented("watch")) }
    }

    /// A GET of any path (`/version`, `/readyz`), body returned raw.
    public func raw(method: String, path: String, body: [UInt8]? = nil, contentType: String? = nil) async throws -> (status: Int, body: [UInt8]) {
        throw ClientError.unimplemented("raw")
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
