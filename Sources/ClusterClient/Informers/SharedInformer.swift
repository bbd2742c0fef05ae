import APIModel
import Logging

/// What an informer tells its handlers. `update` carries the previous and the new object;
/// `delete` the last state known (possibly from a relist that found the object gone).
public struct InformerHandler: Sendable {
    public var onAdd: @Sendable (JSONValue) -> Void
    public var onUpdate: @Sendable (_ old: JSONValue, _ new: JSONValue) -> Void
    public var onDelete: @Sendable (JSONValue) -> Void

    public init(onAdd: @escaping @Sendable (JSONValue) -> Void = { _ in },
                onUpdate: @escaping @Sendable (JSONValue, JSONValue) -> Void = { _, _ in },
                onDelete: @escaping @Sendable (JSONValue) -> Void = { _ in }) {
        self.onAdd = onAdd
        self.onUpdate = onUpdate
        self.onDelete = onDelete
    }
}

/// A list+watch cache of one resource (optionally one namespace and selectors), shared by
/// every consumer: it lists, then watches from the list's resourceVersion, resumes a watch
/// that ended from the last resourceVersion seen, and relists when the apiserver answers
/// 410 Gone — handlers see adds, updates and deletes exactly as the objects changed, and the
/// store is always a consistent snapshot (client-go's reflector + DeltaFIFO + indexer, as one
/// object).
public final class SharedInformer: Sendable {
    public let resource: ResourceRef

    public init(client: ClusterClient, resource: ResourceRef, namespace: String? = nil,
                labelSelector: String? = nil, fieldSelector: String? = nil,
                resyncPeriod: Duration? = nil, logger: Logger? = nil) {
        self.resource = resource
    }

    /// Handlers added after the first list also receive an add for every object in the store.
    public func addHandler(_ handler: InformerHandler) {}

    /// An index: `function` returns the index values of an object (e.g. `spec.nodeName`).
    public func addIndex(_ name: String, _ function: @escaping @Sendable (JSONValue) -> [String]) {}

    /// Lists and watches until the task is cancelled.
    public func run() async {}

    /// Returns once the first list has been delivered to the handlers (or the task is cancelled).
    public func waitForSync() async {}

    public var hasSynced: Bool { false }

    // MARK: The store

    /// By `namespace/name` (or `name` for cluster-scoped objects).
    public func get(_ key: String) -> JSONValue? { nil }
    public func get(namespace: String?, name: String) -> JSONValue? { nil }
    public func list() -> [JSONValue] { [] }
    public func list(namespace: String) -> [JSONValue] { [] }
    public func byIndex(_ name: String, _ value: String) -> [JSONValue] { [] }
    /// The resourceVersion of the last list or event applied.
    public var lastSyncResourceVersion: String { "" }
}

/// One informer per resource (and namespace/selectors) for a whole process, so the scheduler
/// and each controller share caches and watches.
public final class InformerFactory: Sendable {
    public let client: ClusterClient

    public init(client: ClusterClient, logger: Logger? = nil) {
        self.client = client
    }

    /// The shared informer for `resource` (created on first use; started by `start`).
    public func informer(for resource: ResourceRef, namespace: String? = nil, labelSelector: String? = nil,
                         fieldSelector: String? = nil) -> SharedInformer {
        SharedInformer(client: client, resource: resource, namespace: namespace, labelSelector: labelSelector,
                       fieldSelector: fieldSelector)
    }

    /// Runs every informer created so far, and those created later, until cancelled.
    public func run() async {}

    /// Returns when every informer created so far has synced.
    public func waitForSync() async {}
}
