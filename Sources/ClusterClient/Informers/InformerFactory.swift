import Logging
import Synchronization

/// One informer per resource (and namespace/selectors) for a whole process, so the scheduler
/// and each controller share caches and watches.
public final class InformerFactory: Sendable {
    public let client: ClusterClient
    let logger: Logger

    struct Key: Hashable {
        var resource: ResourceRef
        var namespace: String?
        var labelSelector: String?
        var fieldSelector: String?
    }

    struct State {
        var informers: [Key: SharedInformer] = [:]
        /// Set while `run` is running: informers created then are started through it.
        var starter: AsyncStream<SharedInformer>.Continuation?
        var started: Set<ObjectIdentifier> = []
    }

    let state = Mutex(State())

    public init(client: ClusterClient, logger: Logger? = nil) {
        self.client = client
        self.logger = logger ?? client.logger
    }

    /// The shared informer for `resource` (created on first use; started by `start`).
    public func informer(for resource: ResourceRef, namespace: String? = nil, labelSelector: String? = nil,
                         fieldSelector: String? = nil) -> SharedInformer {
        let key = Key(resource: resource, namespace: namespace.flatMap { $0.isEmpty ? nil : $0 },
                      labelSelector: labelSelector.flatMap { $0.isEmpty ? nil : $0 },
                      fieldSelector: fieldSelector.flatMap { $0.isEmpty ? nil : $0 })
        return state.withLock { state in
            if let existing = state.informers[key] { return existing }
            let informer = SharedInformer(client: client, resource: resource, namespace: key.namespace,
                                          labelSelector: key.labelSelector, fieldSelector: key.fieldSelector, logger: logger)
            state.informers[key] = informer
            if let starter = state.starter {
                state.started.insert(ObjectIdentifier(informer))
                starter.yield(informer)
            }
            return informer
        }
    }

    /// Runs every informer created so far, and those created later, until cancelled.
    public func run() async {
        let (newInformers, starter) = AsyncStream<SharedInformer>.makeStream()
        let existing = state.withLock { state -> [SharedInformer] in
            state.starter = starter
            let pending = state.informers.values.filter { !state.started.contains(ObjectIdentifier($0)) }
            for informer in pending { state.started.insert(ObjectIdentifier(informer)) }
            return pending
        }
        await withTaskGroup(of: Void.self) { group in
            for informer in existing {
                group.addTask { await informer.run() }
            }
            for await informer in newInformers {
                group.addTask { await informer.run() }
            }
            group.cancelAll()
        }
        state.withLock { state in
            state.starter = nil
            state.started = []
        }
        starter.finish()
    }

    /// Returns when every informer created so far has synced.
    public func waitForSync() async {
        let informers = state.withLock { Array($0.informers.values) }
        for informer in informers {
            await informer.waitForSync()
        }
    }

    /// Every informer created so far.
    public var informers: [SharedInformer] { state.withLock { Array($0.informers.values) } }
}
