import APIModel
import Logging
import Synchronization

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
///
/// The store is updated first, under a lock, and the notifications are queued in the same
/// critical section; one delivery task then calls the handlers outside the lock, serially and
/// in event order, so a handler may read the store (and sees at least the state its event
/// describes) and may add handlers or indexes.
public final class SharedInformer: Sendable {
    public let resource: ResourceRef
    public let namespace: String?
    public let labelSelector: String?
    public let fieldSelector: String?
    let client: ClusterClient
    let resyncPeriod: Duration?
    /// The server-side timeout of each watch request (client-go: 5–10 minutes, randomised so
    /// that many informers do not reconnect at once); nil picks that default.
    let watchTimeoutSeconds: Int?
    let logger: Logger

    struct State {
        var store = InformerStore()
        var handlers: [InformerHandler] = []
        var lastResourceVersion = ""
        var running = false
    }

    enum Notification: Sendable {
        case add(JSONValue)
        case update(JSONValue, JSONValue)
        case delete(JSONValue)
    }

    enum Delivery: Sendable {
        case notifications([InformerHandler], [Notification])
        case synced
    }

    let state = Mutex(State())
    let deliveries: AsyncStream<Delivery>
    let deliveryQueue: AsyncStream<Delivery>.Continuation
    let synced = AsyncSignal()

    public init(client: ClusterClient, resource: ResourceRef, namespace: String? = nil,
                labelSelector: String? = nil, fieldSelector: String? = nil,
                resyncPeriod: Duration? = nil, logger: Logger? = nil, watchTimeoutSeconds: Int? = nil) {
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resyncPeriod = resyncPeriod
        self.watchTimeoutSeconds = watchTimeoutSeconds
        var logger = logger ?? client.logger
        logger[metadataKey: "informer"] = "\(resource)"
        self.logger = logger
        (deliveries, deliveryQueue) = AsyncStream<Delivery>.makeStream()
        if resource.namespaced {
            state.withLock { $0.store.addIndex(namespaceIndexName) { [$0.namespace ?? ""] } }
        }
    }

    /// Handlers added after the first list also receive an add for every object in the store.
    public func addHandler(_ handler: InformerHandler) {
        state.withLock { state in
            state.handlers.append(handler)
            if state.store.count > 0 {
                deliveryQueue.yield(.notifications([handler], state.store.items.values.map { .add($0) }))
            }
        }
    }

    /// An index: `function` returns the index values of an object (e.g. `spec.nodeName`).
    public func addIndex(_ name: String, _ function: @escaping @Sendable (JSONValue) -> [String]) {
        state.withLock { $0.store.addIndex(name, function) }
    }

    /// Lists and watches until the task is cancelled.
    public func run() async {
        let alreadyRunning = state.withLock { state -> Bool in
            defer { state.running = true }
            return state.running
        }
        if alreadyRunning {
            // One reflector per informer; a second caller just lives as long as it is not cancelled.
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            return
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.deliverNotifications() }
            group.addTask { await self.reflect() }
            if let resyncPeriod {
                group.addTask { await self.resync(every: resyncPeriod) }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// Returns once the first list has been delivered to the handlers (or the task is cancelled).
    public func waitForSync() async {
        await synced.wait()
    }

    public var hasSynced: Bool { synced.isFired }

    // MARK: The store

    /// By `namespace/name` (or `name` for cluster-scoped objects).
    public func get(_ key: String) -> JSONValue? { state.withLock { $0.store[key] } }
    public func get(namespace: String?, name: String) -> JSONValue? {
        get(namespace.map { "\($0)/\(name)" } ?? name)
    }
    public func list() -> [JSONValue] { state.withLock { Array($0.store.items.values) } }
    public func list(namespace: String) -> [JSONValue] {
        state.withLock { state in
            resource.namespaced ? state.store.byIndex(namespaceIndexName, namespace)
                : Array(state.store.items.values)
        }
    }
    public func byIndex(_ name: String, _ value: String) -> [JSONValue] { state.withLock { $0.store.byIndex(name, value) } }
    /// The resourceVersion of the last list or event applied.
    public var lastSyncResourceVersion: String { state.withLock { $0.lastResourceVersion } }
    /// How many objects the store holds.
    public var count: Int { state.withLock { $0.store.count } }

    // MARK: Delivery

    private func deliverNotifications() async {
        for await delivery in deliveries {
            switch delivery {
            case .synced:
                synced.fire()
            case .notifications(let handlers, let notifications):
                for notification in notifications {
                    for handler in handlers {
                        switch notification {
                        case .add(let object): handler.onAdd(object)
                        case .update(let old, let new): handler.onUpdate(old, new)
                        case .delete(let object): handler.onDelete(object)
                        }
                    }
                }
            }
        }
    }

    /// Every `period`, an update (old == new) of every object to every handler, so level-driven
    /// controllers re-check what nothing changed.
    private func resync(every period: Duration) async {
        while !Task.isCancelled {
            do { try await Task.sleep(for: period) } catch { return }
            state.withLock { state in
                guard !state.handlers.isEmpty, state.store.count > 0 else { return }
                deliveryQueue.yield(.notifications(state.handlers, state.store.items.values.map { .update($0, $0) }))
            }
        }
    }
}

