import APIModel
import ClusterClient
import Foundation
import Logging

/// Runs a StatefulSet's pods with stable identities: `<set>-0` … `<set>-<n-1>`, each with
/// its own claims created before it and kept after it. OrderedReady creates them one at a
/// time in order, each waiting for the previous to be Running and Ready, and removes them
/// in reverse order; Parallel does both at once. RollingUpdate replaces pods from the
/// highest ordinal down to the partition, one at a time; OnDelete waits for the user.
public final class StatefulSetController: Controller {
    public let name = "statefulset-controller"

    let client: ClusterClient
    let sets: SharedInformer
    let pods: SharedInformer
    let revisions: SharedInformer
    let events: EventRecorder
    let refManager: ControllerRefManager
    let loop: ReconcileLoop
    let logger: Logger

    public init(context: ControllerContext) {
        client = context.client
        sets = context.informers.informer(for: .statefulSets)
        pods = context.informers.informer(for: .pods)
        revisions = context.informers.informer(for: .controllerRevisions)
        events = context.eventRecorder(component: "statefulset-controller")
        refManager = ControllerRefManager(client: context.client, resource: .pods, ownerResource: .statefulSets, logger: context.logger)
        loop = ReconcileLoop(name: "statefulset", logger: context.logger)
        logger = context.logger
        let loop = loop
        sets.addHandler(InformerHandler(onAdd: { loop.enqueue($0.key) }, onUpdate: { _, new in loop.enqueue(new.key) }))
        let podChanged: @Sendable (JSONValue) -> Void = { [weak self] pod in
            if let key = OwnerRefs.controllerKey(of: pod, kind: "StatefulSet") {
                loop.enqueue(key)
            } else if pod.controllerReference == nil, let self, let namespace = pod.namespace {
                for set in self.sets.list(namespace: namespace) {
                    if let selector = try? WorkloadSelector.of(set), selector.matches(object: pod) { loop.enqueue(set.key) }
                }
            }
        }
        pods.addHandler(InformerHandler(onAdd: podChanged, onUpdate: { old, new in
            if let oldKey = OwnerRefs.controllerKey(of: old, kind: "StatefulSet"),
               oldKey != OwnerRefs.controllerKey(of: new, kind: "StatefulSet") { loop.enqueue(oldKey) }
            podChanged(new)
        }, onDelete: podChanged))
    }

    public func run(workers: Int) async {
        await loop.run(workers: workers, informers: [sets, pods, revisions]) { [weak self] key in try await self?.sync(key) }
    }

    func sync(_ key: String) async throws {
        guard let set = sets.get(key), !set.isBeingDeleted else { return }
        let selector = try WorkloadSelector.of(set)
        let claimed = try await refManager.claim(owner: set, selector: selector, candidates: pods.list(namespace: set.namespace ?? ""))
        let (allRevisions, update) = try await syncRevisions(set)
        let currentName = set.string("status", "currentRevision")
        let current = allRevisions.first { $0.name == currentName } ?? update
        var byOrdinal: [Int: JSONValue] = [:]
        for pod in claimed {
            guard let ordinal = StatefulSetIdentity.ordinal(of: pod, in: set) else { continue }
            byOrdinal[ordinal] = pod
        }
        try await manage(set, byOrdinal: byOrdinal, current: current, update: update)
        let latest = pods.list(namespace: set.namespace ?? "").filter {
            OwnerRefs.isControlled($0, by: set) && StatefulSetIdentity.ordinal(of: $0, in: set) != nil
        }
        try await writeStatus(set, pods: latest, current: current, update: update)
        try await cleanupRevisions(set, all: allRevisions, pods: latest, keep: [current.name, update.name])
    }

    private func isOnDelete(_ set: JSONValue) -> Bool { set.string("spec", "updateStrategy", "type") == "OnDelete" }

    private func partition(_ set: JSONValue) -> Int {
        isOnDelete(set) ? 0 : set.int("spec", "updateStrategy", "rollingUpdate", "partition")
    }

    /// One step toward the desired pods; with OrderedReady it stops at the first pod it has
    /// to wait for.
    private func manage(_ set: JSONValue, byOrdinal: [Int: JSONValue], current: JSONValue, update: JSONValue) async throws {
        let replicas = set.int("spec", "replicas", default: 1)
        let ordered = (set.string("spec", "podManagementPolicy") ?? "OrderedReady") == "OrderedReady"

        for ordinal in 0..<replicas {
            guard let pod = byOrdinal[ordinal] else {
                let useCurrent = !isOnDelete(set) && ordinal < partition(set)
                let revision = useCurrent ? current : update
                let template = Self.template(of: revision) ?? set["spec"]?["template"] ?? .emptyObject
                try await createPod(set, ordinal: ordinal, template: template, revisionName: revision.name)
                if ordered { return }
                continue
            }
            if PodFacts.isTerminal(pod) && !pod.isBeingDeleted {
                try await deletePod(set, pod)
                if ordered { return }
                continue
            }
            if ordered && (pod.isBeingDeleted || !PodFacts.isRunningAndReady(pod)) { return }
        }

        let condemned = byOrdinal.keys.filter { $0 >= replicas }.sorted(by: >)
        for ordinal in condemned {
            guard let pod = byOrdinal[ordinal] else { continue }
            if pod.isBeingDeleted {
                if ordered { return }
                continue
            }
            if ordered {
                // Remove the highest only while every other pod is healthy.
                let unhealthy = byOrdinal.contains { other in
                    other.key != ordinal && (other.value.isBeingDeleted || !PodFacts.isRunningAndReady(other.value))
                }
                if unhealthy { return }
            }
            try await deletePod(set, pod)
            if ordered { return }
        }

        guard !isOnDelete(set) else { return }
        for ordinal in stride(from: replicas - 1, through: partition(set), by: -1) {
            guard let pod = byOrdinal[ordinal] else { return }
            if pod.labels[StatefulSetIdentity.revisionLabel] != update.name {
                if !pod.isBeingDeleted { try await deletePod(set, pod) }
                return
            }
            if pod.isBeingDeleted || !PodFacts.isRunningAndReady(pod) { return }
        }
    }

    private func createPod(_ set: JSONValue, ordinal: Int, template: JSONValue, revisionName: String) async throws {
        let podName = StatefulSetIdentity.podName(set, ordinal)
        for claim in StatefulSetIdentity.claims(set, ordinal: ordinal) {
            do {
                _ = try await client.create(.persistentVolumeClaims, namespace: set.namespace, claim)
                events.record(set, type: .normal, reason: "SuccessfulCreate",
                              message: "create Claim \(claim.name) Pod \(podName) in StatefulSet \(set.name) success")
            } catch let error as ClientError where error.isAlreadyExists {
            } catch {
                events.record(set, type: .warning, reason: "FailedCreate",
                              message: "create Claim \(claim.name) for Pod \(podName) in StatefulSet \(set.name) failed error: \(error)")
                throw error
            }
        }
        let pod = StatefulSetIdentity.pod(set, ordinal: ordinal, template: template, revisionName: revisionName)
        do {
            _ = try await client.create(.pods, namespace: set.namespace, pod)
            events.record(set, type: .normal, reason: "SuccessfulCreate",
                          message: "create Pod \(podName) in StatefulSet \(set.name) successful")
        } catch let error as ClientError where error.isAlreadyExists {
        } catch {
            events.record(set, type: .warning, reason: "FailedCreate",
                          message: "create Pod \(podName) in StatefulSet \(set.name) failed error: \(error)")
            throw error
        }
    }

    private func deletePod(_ set: JSONValue, _ pod: JSONValue) async throws {
        do {
            try await client.delete(.pods, namespace: pod.namespace, name: pod.name, options: DeleteOptions(preconditionUID: pod.uid))
            events.record(set, type: .normal, reason: "SuccessfulDelete",
                          message: "delete Pod \(pod.name) in StatefulSet \(set.name) successful")
        } catch let error as ClientError where error.isNotFound {}
    }

    private func writeStatus(_ set: JSONValue, pods: [JSONValue], current: JSONValue, update: JSONValue) async throws {
        let now = Date()
        let minReady = set.int("spec", "minReadySeconds")
        let live = pods.filter { !PodFacts.isTerminal($0) }
        var status = set["status"] ?? .emptyObject
        let replicas = live.count
        let ready = live.filter(PodFacts.isRunningAndReady).count
        let updated = live.filter { $0.labels[StatefulSetIdentity.revisionLabel] == update.name }.count
        var currentName = current.name
        var currentCount = live.filter { $0.labels[StatefulSetIdentity.revisionLabel] == current.name }.count
        let desired = set.int("spec", "replicas", default: 1)
        if updated == desired && replicas == desired && ready == desired {
            currentName = update.name
            currentCount = updated
        }
        status["observedGeneration"] = .int(set.generation)
        status["replicas"] = .int(Int64(replicas))
        status["readyReplicas"] = .int(Int64(ready))
        status["availableReplicas"] = .int(Int64(live.filter {
            PodFacts.isRunningAndReady($0) && PodFacts.isAvailable($0, minReadySeconds: minReady, now: now)
        }.count))
        status["currentReplicas"] = .int(Int64(currentCount))
        status["updatedReplicas"] = .int(Int64(updated))
        status["currentRevision"] = .string(currentName)
        status["updateRevision"] = .string(update.name)
        if status["collisionCount"] == nil { status["collisionCount"] = 0 }
        guard status != set["status"] ?? .emptyObject else { return }
        try await StatusWriter.write(client, .statefulSets, set, status: status)
        if minReady > 0 { loop.enqueue(set.key, after: .seconds(minReady)) }
    }
}
