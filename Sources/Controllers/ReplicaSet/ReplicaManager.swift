import APIModel
import ClusterClient
import Foundation
import Logging

/// The reconciler shared by ReplicaSets and ReplicationControllers (one algorithm, two
/// kinds): count the active pods the owner controls, create or delete the difference, then
/// write the status. Expectations keep it from acting twice on one observation.
final class ReplicaManager: Sendable {
    /// At most this many pods created or deleted per sync (Kubernetes' burstReplicas).
    static let burstReplicas = 500

    let resource: ResourceRef
    let owners: SharedInformer
    let pods: SharedInformer
    let client: ClusterClient
    let podControl: PodControl
    let refManager: ControllerRefManager
    let expectations = ControllerExpectations()
    let loop: ReconcileLoop
    let logger: Logger
    let selectorOf: @Sendable (JSONValue) throws -> LabelSelector

    init(context: ControllerContext, resource: ResourceRef, component: String,
         selectorOf: @escaping @Sendable (JSONValue) throws -> LabelSelector) {
        self.resource = resource
        self.client = context.client
        self.owners = context.informers.informer(for: resource)
        self.pods = context.informers.informer(for: .pods)
        self.podControl = PodControl(client: context.client, events: context.eventRecorder(component: component))
        self.logger = context.logger
        self.refManager = ControllerRefManager(client: context.client, resource: .pods, ownerResource: resource, logger: context.logger)
        self.loop = ReconcileLoop(name: component, logger: context.logger)
        self.selectorOf = selectorOf
        registerHandlers()
    }

    private func registerHandlers() {
        let loop = loop
        owners.addHandler(InformerHandler(
            onAdd: { loop.enqueue($0.key) },
            onUpdate: { _, new in loop.enqueue(new.key) },
            onDelete: { [expectations] in expectations.forget($0.key); loop.enqueue($0.key) }))
        pods.addHandler(InformerHandler(
            onAdd: { [weak self] pod in self?.podAdded(pod) },
            onUpdate: { [weak self] old, new in self?.podUpdated(old, new) },
            onDelete: { [weak self] pod in self?.podDeleted(pod) }))
    }

    func run(workers: Int) async {
        await loop.run(workers: workers, informers: [owners, pods]) { [weak self] key in
            try await self?.sync(key)
        }
    }

    // MARK: Pod events

    private func podAdded(_ pod: JSONValue) {
        if let key = OwnerRefs.controllerKey(of: pod, kind: resource.kind) {
            if pod.isBeingDeleted {
                expectations.deletionObserved(key, uid: pod.uid)
            } else {
                expectations.creationObserved(key)
            }
            loop.enqueue(key)
        } else if pod.controllerReference == nil {
            enqueueOwnersSelecting(pod)
        }
    }

    private func podUpdated(_ old: JSONValue, _ new: JSONValue) {
        let oldKey = OwnerRefs.controllerKey(of: old, kind: resource.kind)
        let newKey = OwnerRefs.controllerKey(of: new, kind: resource.kind)
        if let newKey, new.isBeingDeleted, !old.isBeingDeleted {
            expectations.deletionObserved(newKey, uid: new.uid)
        }
        if let oldKey, oldKey != newKey { loop.enqueue(oldKey) }
        if let newKey {
            loop.enqueue(newKey)
            // Becoming available after minReadySeconds needs another look then.
            if !PodFacts.isReady(old), PodFacts.isReady(new),
               let owner = owners.get(newKey), owner.int("spec", "minReadySeconds") > 0 {
                loop.enqueue(newKey, after: .seconds(owner.int("spec", "minReadySeconds") + 1))
            }
        } else if new.controllerReference == nil, old.labels != new.labels || old.controllerReference != nil {
            enqueueOwnersSelecting(new)
        }
    }

    private func podDeleted(_ pod: JSONValue) {
        guard let key = OwnerRefs.controllerKey(of: pod, kind: resource.kind) else { return }
        expectations.deletionObserved(key, uid: pod.uid)
        loop.enqueue(key)
    }

    private func enqueueOwnersSelecting(_ pod: JSONValue) {
        guard let namespace = pod.namespace else { return }
        for owner in owners.list(namespace: namespace) {
            if let selector = try? selectorOf(owner), selector.matches(object: pod) { loop.enqueue(owner.key) }
        }
    }

    // MARK: Sync

    func sync(_ key: String) async throws {
        guard let owner = owners.get(key) else {
            expectations.forget(key)
            return
        }
        let selector: LabelSelector
        do {
            selector = try selectorOf(owner)
        } catch {
            logger.warning("\(resource.kind) \(key) has an invalid selector: \(error)")
            return
        }
        let namespace = owner.namespace ?? ""
        let needsSync = expectations.isSatisfied(key)
        let candidates = pods.list(namespace: namespace).filter { !PodFacts.isTerminal($0) }
        let claimed = try await refManager.claim(owner: owner, selector: selector, candidates: candidates)
        let active = claimed.filter(PodFacts.isActive)

        var createError: (any Error)?
        if needsSync && !owner.isBeingDeleted {
            createError = await manageReplicas(owner: owner, active: active, key: key)
        }
        try await updateStatus(owner: owner, active: active, selector: selector, createError: createError)
        if let createError { throw createError }
    }

    /// Creates or deletes the difference; returns the first create error (reported in the
    /// ReplicaFailure condition).
    private func manageReplicas(owner: JSONValue, active: [JSONValue], key: String) async -> (any Error)? {
        let desired = owner.int("spec", "replicas", default: 1)
        let diff = active.count - desired
        if diff < 0 {
            let count = min(-diff, Self.burstReplicas)
            expectations.expectCreations(key, count: count)
            guard let template = owner["spec"]?["template"] else { return nil }
            let pod = PodControl.pod(from: template, owner: owner, ownerResource: resource)
            let podControl = podControl, expectations = expectations
            let outcome = await SlowStart.run(count: count) { _ in
                do {
                    try await podControl.create(pod, owner: owner)
                } catch {
                    expectations.creationObserved(key)  // it will never show up
                    throw error
                }
            }
            if outcome.skipped > 0 { expectations.creationObserved(key, count: outcome.skipped) }
            return outcome.firstError
        } else if diff > 0 {
            let victims = Array(ActivePodRanking.deletionOrder(active).prefix(min(diff, Self.burstReplicas)))
            expectations.expectDeletions(key, uids: victims.map(\.uid))
            let podControl = podControl, expectations = expectations
            await withTaskGroup(of: Void.self) { group in
                for victim in victims {
                    group.addTask {
                        do { try await podControl.delete(victim, owner: owner) } catch {}
                        // Failed or not, the informer may not report it: do not wait for it.
                        if (try? await self.client.get(.pods, namespace: victim.namespace, name: victim.name)) == nil {
                            expectations.deletionObserved(key, uid: victim.uid)
                        }
                    }
                }
            }
        }
        return nil
    }

    private func updateStatus(owner: JSONValue, active: [JSONValue], selector: LabelSelector, createError: (any Error)?) async throws {
        let now = Date()
        let minReady = owner.int("spec", "minReadySeconds")
        let templateLabels = owner["spec"]?["template"]?["metadata"]?["labels"]?.objectValue ?? JSONObject()
        let fullyLabeled = active.filter { pod in
            let labels = pod.labels
            return templateLabels.allSatisfy { key, value in labels[key] == value.stringValue }
        }
        var status = owner["status"] ?? .emptyObject
        status["replicas"] = .int(Int64(active.count))
        status["fullyLabeledReplicas"] = .int(Int64(fullyLabeled.count))
        status["readyReplicas"] = .int(Int64(active.filter(PodFacts.isReady).count))
        let available = active.filter { PodFacts.isAvailable($0, minReadySeconds: minReady, now: now) }.count
        status["availableReplicas"] = .int(Int64(available))
        status["observedGeneration"] = .int(owner.generation)
        if let createError {
            Conditions.set(&status, type: "ReplicaFailure", status: "True", reason: "FailedCreate",
                           message: "\(createError)", now: now)
        } else if active.count == owner.int("spec", "replicas", default: 1) {
            Conditions.remove(&status, type: "ReplicaFailure")
        }
        if status == owner["status"] ?? .emptyObject { return }
        try await StatusWriter.write(client, resource, owner, status: status)
        let ready = active.filter(PodFacts.isReady).count
        if minReady > 0, ready > available {
            loop.enqueue(owner.key, after: .seconds(minReady))
        }
    }
}
