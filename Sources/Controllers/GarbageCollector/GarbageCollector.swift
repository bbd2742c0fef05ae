import APIModel
import ClusterClient
import Foundation
import Logging

/// The garbage collector: deletes objects whose owners (by `ownerReferences` uid) are all
/// gone, and carries out the two propagation modes the apiserver leaves to it through
/// finalizers — `foregroundDeletion` (delete the dependents, then let the owner go once no
/// dependent with `blockOwnerDeletion` remains) and `orphan` (drop the owner from every
/// dependent's references, then let the owner go).
///
/// The ownership graph is the informers' caches of every resource that carries owner
/// references, indexed by owner uid; an owner missing from the caches is confirmed absent
/// with a live read before anything is deleted (a different uid under the same name counts
/// as absent).
public final class GarbageCollector: Controller {
    public let name = "garbage-collector-controller"

    /// The resources whose objects take part in ownership.
    static let monitoredResources: [ResourceRef] = [
        .pods, .replicaSets, .deployments, .statefulSets, .daemonSets, .jobs, .cronJobs, .controllerRevisions,
        .endpoints, .endpointSlices, .services, .configMaps, .secrets, .persistentVolumeClaims,
        .replicationControllers, .leases, .serviceAccounts, .podDisruptionBudgets,
    ]
    static let ownerIndex = "gc-owner-uid"

    /// One object the collector looks at (as dependent, and as owner being deleted).
    struct Item: Hashable, Sendable {
        var resource: ResourceRef
        var namespace: String?
        var name: String
        var uid: String
    }

    private let context: ControllerContext
    /// The informers of the monitored resources the apiserver serves (set up by `run`, after
    /// discovery: an informer of a resource that is not served would never sync).
    private let graph = LockedState<[ResourceRef: SharedInformer]>([:])
    private var informers: [ResourceRef: SharedInformer] { graph.withLock { $0 } }
    private let queue = WorkQueue<Item>(name: "garbagecollector")
    /// How often every object with owners or a propagation finalizer is looked at again.
    let resyncPeriod: Duration

    public convenience init(context: ControllerContext) {
        self.init(context: context, resyncPeriod: .seconds(60))
    }

    init(context: ControllerContext, resyncPeriod: Duration) {
        self.context = context
        self.resyncPeriod = resyncPeriod
    }

    public func run(workers: Int) async {
        var served: Set<String>?
        while served == nil && !Task.isCancelled {
            do {
                served = try await NamespacedResourceDiscovery.servedResources(client: context.client)
            } catch {
                context.logger.warning("garbage collector: discovery failed, retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
        guard let served else { return }
        let resources = Self.monitoredResources.filter { served.contains("\($0.group)/\($0.version)/\($0.plural)") }
        startInformers(resources)
        for informer in informers.values { await informer.waitForSync() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                await runPeriodically(every: resyncPeriod) {
                    for (resource, informer) in self.informers {
                        for object in informer.list() where !object.ownerReferences.isEmpty || OwnerDeletionMode.of(object) != .none {
                            await self.queue.add(Item(resource: resource, namespace: object.namespace, name: object.name, uid: object.uid))
                        }
                    }
                }
            }
            group.addTask { [self] in
                await runReconcileLoop(queue: queue, workers: workers, logger: context.logger, controller: name) { item in
                    try await self.process(item)
                }
            }
        }
    }

    /// Creates the informers (the factory starts them as it runs) with the owner-uid index
    /// and the handlers that feed the queue.
    private func startInformers(_ resources: [ResourceRef]) {
        var informers: [ResourceRef: SharedInformer] = [:]
        for resource in resources { informers[resource] = context.informers.informer(for: resource) }
        graph.withLock { $0 = informers }
        let queue = queue
        let all = informers
        /// Every dependent of `owner` across all monitored resources.
        let dependentsOf: @Sendable (String) -> [Item] = { uid in
            all.flatMap { resource, informer in
                informer.byIndex(Self.ownerIndex, uid).map { Item(resource: resource, namespace: $0.namespace, name: $0.name, uid: $0.uid) }
            }
        }
        for (resource, informer) in informers {
            informer.addIndex(Self.ownerIndex) { object in object.ownerReferences.map(\.uid) }
            let item: @Sendable (JSONValue) -> Item = { Item(resource: resource, namespace: $0.namespace, name: $0.name, uid: $0.uid) }
            let enqueueOwners: @Sendable (JSONValue) -> Void = { object in
                for owner in object.ownerReferences {
                    guard let ref = Self.resource(forKind: owner.kind, apiVersion: owner.apiVersion),
                          let candidate = all[ref]?.get(namespace: ref.namespaced ? object.namespace : nil, name: owner.name),
                          candidate.uid == owner.uid else { continue }
                    queue.enqueue(Item(resource: ref, namespace: candidate.namespace, name: candidate.name, uid: candidate.uid))
                }
            }
            informer.addHandler(InformerHandler(
                onAdd: { object in
                    if !object.ownerReferences.isEmpty || OwnerDeletionMode.of(object) != .none { queue.enqueue(item(object)) }
                },
                onUpdate: { old, new in
                    if !new.ownerReferences.isEmpty || OwnerDeletionMode.of(new) != .none { queue.enqueue(item(new)) }
                    if old.ownerReferences != new.ownerReferences || (new.isBeingDeleted && !old.isBeingDeleted) {
                        enqueueOwners(old)
                    }
                },
                onDelete: { object in
                    for dependent in dependentsOf(object.uid) { queue.enqueue(dependent) }
                    enqueueOwners(object)
                }))
        }
    }

    // MARK: Reconcile

    func process(_ item: Item) async throws {
        guard let object = informers[item.resource]?.get(namespace: item.namespace, name: item.name), object.uid == item.uid else {
            return
        }
        switch OwnerDeletionMode.of(object) {
        case .foreground:
            try await processForegroundOwner(item, object)
            return
        case .orphan:
            try await processOrphaningOwner(item, object)
            return
        case .none:
            break
        }
        try await processDependent(item, object)
    }

    private func processDependent(_ item: Item, _ object: JSONValue) async throws {
        guard !object.ownerReferences.isEmpty, !object.isBeingDeleted else { return }
        var owners: [String: OwnerState] = [:]
        for reference in object.ownerReferences {
            owners[reference.uid] = try await ownerState(reference, dependentNamespace: item.namespace)
        }
        switch DependentDecision.decide(dependent: object, owners: owners) {
        case .keep:
            return
        case .delete(let policy):
            context.logger.info("deleting object whose owners are gone",
                                metadata: ["object": "\(item.resource.plural)/\(object.key)", "propagation": "\(policy.rawValue)"])
            try await delete(item, propagation: policy)
        case .removeOwnerReferences(let uids):
            try await rewrite(item) { $0.removingOwnerReferences(uids) }
        }
    }

    private func processForegroundOwner(_ item: Item, _ owner: JSONValue) async throws {
        let dependents = dependents(of: owner.uid)
        for (dependentItem, dependent) in dependents where !dependent.isBeingDeleted {
            try await processDependent(dependentItem, dependent)
        }
        let blocking = dependents.filter { $0.object.blocksDeletion(ofOwner: owner.uid) }
        guard blocking.isEmpty else { return }  // re-enqueued when each goes
        try await rewrite(item) { $0.removingFinalizer(GarbageCollectionFinalizers.foreground) }
    }

    private func processOrphaningOwner(_ item: Item, _ owner: JSONValue) async throws {
        for (dependentItem, _) in dependents(of: owner.uid) {
            try await rewrite(dependentItem) { $0.removingOwnerReferences([owner.uid]) }
        }
        try await rewrite(item) { $0.removingFinalizer(GarbageCollectionFinalizers.orphan) }
    }

    private func dependents(of uid: String) -> [(item: Item, object: JSONValue)] {
        informers.flatMap { resource, informer in
            informer.byIndex(Self.ownerIndex, uid).map {
                (Item(resource: resource, namespace: $0.namespace, name: $0.name, uid: $0.uid), $0)
            }
        }
    }

    /// The owner's state: from the cache when it holds that uid, else from a live read.
    private func ownerState(_ reference: OwnerReference, dependentNamespace: String?) async throws -> OwnerState {
        guard let resource = Self.resource(forKind: reference.kind, apiVersion: reference.apiVersion) else { return .unknownKind }
        let namespace = resource.namespaced ? dependentNamespace : nil
        if resource.namespaced && dependentNamespace == nil { return .absent }  // a cluster-scoped object cannot have a namespaced owner
        if let cached = informers[resource]?.get(namespace: namespace, name: reference.name), cached.uid == reference.uid {
            return OwnerDeletionMode.ownerState(cached)
        }
        do {
            let live = try await context.client.get(resource, namespace: namespace, name: reference.name)
            return live.uid == reference.uid ? OwnerDeletionMode.ownerState(live) : .absent
        } catch let error as ClientError where error.isNotFound {
            return .absent
        }
    }

    private func delete(_ item: Item, propagation: DeleteOptions.Propagation) async throws {
        do {
            try await context.client.delete(item.resource, namespace: item.namespace, name: item.name,
                                            options: DeleteOptions(propagationPolicy: propagation, preconditionUID: item.uid))
        } catch let error as ClientError where error.isNotFound || error.isConflict {
            // Gone already, or another object now has the name.
        }
    }

    /// Reads the object live, applies `change`, writes it back; retried on conflicts.
    private func rewrite(_ item: Item, _ change: (JSONValue) -> JSONValue) async throws {
        for _ in 0..<5 {
            let live: JSONValue
            do {
                live = try await context.client.get(item.resource, namespace: item.namespace, name: item.name)
            } catch let error as ClientError where error.isNotFound {
                return
            }
            guard live.uid == item.uid else { return }
            let changed = change(live)
            if changed == live { return }
            do {
                _ = try await context.client.update(item.resource, changed)
                return
            } catch let error as ClientError where error.isConflict {
                continue
            } catch let error as ClientError where error.isNotFound {
                return
            }
        }
        throw ClientError.status(code: 409, reason: "Conflict", message: "\(item.resource.plural)/\(item.name) kept changing", body: nil)
    }

    /// The monitored resource of an owner reference's kind and group.
    static func resource(forKind kind: String, apiVersion: String) -> ResourceRef? {
        let group = apiVersion.contains("/") ? String(apiVersion.split(separator: "/")[0]) : ""
        return monitoredResources.first { $0.kind == kind && $0.group == group }
    }
}
