import APIModel
import ClusterClient
import Foundation
import Logging

/// Runs one pod of a DaemonSet on every eligible node: creates the missing ones (pinned to
/// their node, placed by the scheduler), removes pods from nodes that no longer qualify or
/// vanished, follows node additions, removals and label or taint changes, replaces pods of
/// an older template within maxUnavailable (RollingUpdate) or when deleted (OnDelete), and
/// reports the counts `kubectl rollout status` reads.
public final class DaemonSetController: Controller {
    public let name = "daemonset-controller"
    static let hashLabel = "controller-revision-hash"

    let client: ClusterClient
    let daemonSets: SharedInformer
    let pods: SharedInformer
    let nodes: SharedInformer
    let podControl: PodControl
    let events: EventRecorder
    let refManager: ControllerRefManager
    let expectations = ControllerExpectations()
    let loop: ReconcileLoop
    let logger: Logger

    public init(context: ControllerContext) {
        client = context.client
        daemonSets = context.informers.informer(for: .daemonSets)
        pods = context.informers.informer(for: .pods)
        nodes = context.informers.informer(for: .nodes)
        events = context.eventRecorder(component: "daemonset-controller")
        podControl = PodControl(client: context.client, events: events)
        refManager = ControllerRefManager(client: context.client, resource: .pods, ownerResource: .daemonSets, logger: context.logger)
        loop = ReconcileLoop(name: "daemonset", logger: context.logger)
        logger = context.logger
        registerHandlers()
    }

    public func run(workers: Int) async {
        await loop.run(workers: workers, informers: [daemonSets, pods, nodes]) { [weak self] key in try await self?.sync(key) }
    }

    private func registerHandlers() {
        let loop = loop, expectations = expectations
        daemonSets.addHandler(InformerHandler(
            onAdd: { loop.enqueue($0.key) },
            onUpdate: { _, new in loop.enqueue(new.key) },
            onDelete: { expectations.forget($0.key) }))
        pods.addHandler(InformerHandler(
            onAdd: { pod in
                guard let key = OwnerRefs.controllerKey(of: pod, kind: "DaemonSet") else { return }
                expectations.creationObserved(key)
                loop.enqueue(key)
            },
            onUpdate: { old, new in
                guard let key = OwnerRefs.controllerKey(of: new, kind: "DaemonSet") else { return }
                if new.isBeingDeleted && !old.isBeingDeleted { expectations.deletionObserved(key, uid: new.uid) }
                loop.enqueue(key)
            },
            onDelete: { pod in
                guard let key = OwnerRefs.controllerKey(of: pod, kind: "DaemonSet") else { return }
                expectations.deletionObserved(key, uid: pod.uid)
                loop.enqueue(key)
            }))
        let everyDaemonSet: @Sendable () -> Void = { [weak self] in
            for ds in self?.daemonSets.list() ?? [] { loop.enqueue(ds.key) }
        }
        nodes.addHandler(InformerHandler(
            onAdd: { _ in everyDaemonSet() },
            onUpdate: { old, new in
                if old.labels != new.labels || old["spec"]?["taints"] != new["spec"]?["taints"] { everyDaemonSet() }
            },
            onDelete: { _ in everyDaemonSet() }))
    }

    /// The template every pod is made from: the DaemonSet's, with the daemon tolerations.
    static func podTemplate(_ ds: JSONValue) -> JSONValue {
        var template = ds["spec"]?["template"] ?? .emptyObject
        template["spec"] = NodeEligibility.addingDaemonTolerations(template["spec"] ?? .emptyObject)
        return template
    }

    static func templateHash(_ ds: JSONValue) -> String {
        let collisions = ds.int("status", "collisionCount", default: -1)
        return TemplateHash.hash(ds["spec"]?["template"] ?? .emptyObject, collisionCount: collisions >= 0 ? collisions : nil)
    }

    func sync(_ key: String) async throws {
        guard let ds = daemonSets.get(key) else { return }
        let selector = try WorkloadSelector.of(ds)
        let claimed = try await refManager.claim(owner: ds, selector: selector, candidates: pods.list(namespace: ds.namespace ?? ""))
        let template = Self.podTemplate(ds)
        let hash = Self.templateHash(ds)
        let allNodes = nodes.list()
        var podsByNode: [String: [JSONValue]] = [:]
        for pod in claimed where !pod.isBeingDeleted {
            podsByNode[NodeEligibility.targetNode(of: pod) ?? "", default: []].append(pod)
        }

        if !ds.isBeingDeleted && expectations.isSatisfied(key) {
            var toCreate: [String] = []
            var toDelete: [JSONValue] = []
            let nodeNames = Set(allNodes.map(\.name))
            for node in allNodes {
                let nodePods = podsByNode[node.name] ?? []
                if NodeEligibility.shouldRun(podSpec: template["spec"] ?? .emptyObject, on: node) {
                    let failed = nodePods.filter { PodFacts.phase($0) == "Failed" }
                    toDelete += failed
                    let running = nodePods.filter { !PodFacts.isTerminal($0) }
                    if running.isEmpty {
                        if failed.isEmpty { toCreate.append(node.name) }
                    } else if running.count > 1 {
                        // Keep the oldest (preferring an up-to-date one), remove the rest.
                        let keep = running.sorted { a, b in
                            let aNew = a.labels[Self.hashLabel] == hash, bNew = b.labels[Self.hashLabel] == hash
                            if aNew != bNew { return aNew }
                            return PodFacts.created(a) < PodFacts.created(b)
                        }
                        toDelete += keep.dropFirst()
                    }
                } else {
                    toDelete += nodePods
                }
            }
            for (nodeName, nodePods) in podsByNode where !nodeNames.contains(nodeName) { toDelete += nodePods }
            if toCreate.isEmpty && toDelete.isEmpty, ds.string("spec", "updateStrategy", "type") != "OnDelete" {
                toDelete = rollingUpdateVictims(ds, nodes: allNodes, podsByNode: podsByNode, hash: hash, template: template)
            }
            try await apply(ds, key: key, create: toCreate, delete: toDelete, template: template, hash: hash)
        }
        try await writeStatus(ds, nodes: allNodes, key: key, template: template, hash: hash)
    }

    /// Old-template pods to replace now: unavailable ones always, available ones while the
    /// number of unavailable daemon pods stays within maxUnavailable.
    private func rollingUpdateVictims(_ ds: JSONValue, nodes: [JSONValue], podsByNode: [String: [JSONValue]],
                                      hash: String, template: JSONValue) -> [JSONValue] {
        let now = Date()
        let minReady = ds.int("spec", "minReadySeconds")
        let eligible = nodes.filter { NodeEligibility.shouldRun(podSpec: template["spec"] ?? .emptyObject, on: $0) }
        let maxUnavailable = max((try? IntOrPercent.resolve(ds["spec"]?["updateStrategy"]?["rollingUpdate"]?["maxUnavailable"],
                                                            total: eligible.count, roundUp: true, default: 1)) ?? 1, 1)
        var unavailable = 0
        var oldAvailable: [JSONValue] = []
        var victims: [JSONValue] = []
        for node in eligible {
            guard let pod = podsByNode[node.name]?.first(where: { !PodFacts.isTerminal($0) }) else {
                unavailable += 1
                continue
            }
            let available = PodFacts.isAvailable(pod, minReadySeconds: minReady, now: now)
            if !available { unavailable += 1 }
            guard pod.labels[Self.hashLabel] != hash else { continue }
            if available { oldAvailable.append(pod) } else { victims.append(pod) }
        }
        for pod in oldAvailable.sorted(by: { $0.name < $1.name }) where unavailable < maxUnavailable {
            victims.append(pod)
            unavailable += 1
        }
        return victims
    }

    private func apply(_ ds: JSONValue, key: String, create: [String], delete: [JSONValue], template: JSONValue, hash: String) async throws {
        guard !create.isEmpty || !delete.isEmpty else { return }
        if !delete.isEmpty {
            expectations.expectDeletions(key, uids: delete.map(\.uid))
            for pod in delete {
                try await podControl.delete(pod, owner: ds)
                expectations.deletionObserved(key, uid: pod.uid)
            }
        }
        guard !create.isEmpty else { return }
        expectations.expectCreations(key, count: create.count)
        let podControl = podControl, expectations = expectations
        let labels = [Self.hashLabel: hash, "pod-template-generation": String(ds.generation)]
        let outcome = await SlowStart.run(count: create.count) { index in
            var nodeTemplate = template
            nodeTemplate["spec"] = NodeEligibility.pinning(template["spec"] ?? .emptyObject, to: create[index])
            let pod = PodControl.pod(from: nodeTemplate, owner: ds, ownerResource: .daemonSets, extraLabels: labels)
            do { try await podControl.create(pod, owner: ds) } catch {
                expectations.creationObserved(key)
                throw error
            }
        }
        if outcome.skipped > 0 { expectations.creationObserved(key, count: outcome.skipped) }
        if let error = outcome.firstError { throw error }
    }

    private func writeStatus(_ ds: JSONValue, nodes: [JSONValue], key: String, template: JSONValue, hash: String) async throws {
        let now = Date()
        let minReady = ds.int("spec", "minReadySeconds")
        let owned = pods.list(namespace: ds.namespace ?? "").filter { OwnerRefs.isControlled($0, by: ds) && !$0.isBeingDeleted }
        var byNode: [String: JSONValue] = [:]
        for pod in owned where !PodFacts.isTerminal(pod) {
            if let node = NodeEligibility.targetNode(of: pod) { byNode[node] = pod }
        }
        var desired = 0, current = 0, misscheduled = 0, ready = 0, available = 0, updated = 0
        for node in nodes {
            let pod = byNode[node.name]
            if NodeEligibility.shouldRun(podSpec: template["spec"] ?? .emptyObject, on: node) {
                desired += 1
                guard let pod else { continue }
                current += 1
                if PodFacts.isReady(pod) { ready += 1 }
                if PodFacts.isAvailable(pod, minReadySeconds: minReady, now: now) { available += 1 }
                if pod.labels[Self.hashLabel] == hash { updated += 1 }
            } else if pod != nil {
                misscheduled += 1
            }
        }
        var status = ds["status"] ?? .emptyObject
        status["desiredNumberScheduled"] = .int(Int64(desired))
        status["currentNumberScheduled"] = .int(Int64(current))
        status["numberMisscheduled"] = .int(Int64(misscheduled))
        status["numberReady"] = .int(Int64(ready))
        status["numberAvailable"] = available > 0 || status["numberAvailable"] != nil ? .int(Int64(available)) : nil
        status["numberUnavailable"] = desired - available > 0 || status["numberUnavailable"] != nil ? .int(Int64(desired - available)) : nil
        status["updatedNumberScheduled"] = .int(Int64(updated))
        status["observedGeneration"] = .int(ds.generation)
        guard status != ds["status"] ?? .emptyObject else { return }
        try await StatusWriter.write(client, .daemonSets, ds, status: status)
        if minReady > 0, ready > available { loop.enqueue(key, after: .seconds(minReady)) }
    }
}
