import APIModel
import ClusterClient
import Foundation
import Logging

/// Node lifecycle: watches Nodes and their Leases in `kube-node-lease`. A node whose kubelet
/// has been silent (no Lease renewal, no Ready heartbeat) for `nodeMonitorGracePeriod` gets
/// its Ready, MemoryPressure, DiskPressure and PIDPressure conditions set to Unknown and its
/// pods marked not ready. The node's lifecycle taints follow its Ready condition
/// (`node.kubernetes.io/unreachable` when Unknown, `node.kubernetes.io/not-ready` when False,
/// each NoExecute and NoSchedule; removed when it is Ready again), and the NoExecute taint
/// manager deletes the pods on a tainted node that do not tolerate the taint — at once, or
/// after their `tolerationSeconds`. Their controllers create replacements elsewhere.
public final class NodeLifecycleController: Controller {
    public let name = "node-controller"
    static let leaseNamespace = "kube-node-lease"

    private let context: ControllerContext
    private let nodes: SharedInformer
    private let leases: SharedInformer
    private let pods: SharedInformer
    private let nodeQueue = WorkQueue<String>(name: "nodelifecycle")
    private let evictionQueue = WorkQueue<String>(name: "nodelifecycle-noexecute")
    private let recorder: EventRecorder

    public init(context: ControllerContext) {
        self.context = context
        nodes = context.informers.informer(for: .nodes)
        leases = context.informers.informer(for: .leases, namespace: Self.leaseNamespace)
        pods = context.informers.informer(for: .pods)
        recorder = context.eventRecorder(component: "node-controller")
        pods.addIndex("nodeName") { pod in pod.podNodeName.isEmpty ? [] : [pod.podNodeName] }
        let nodeQueue = nodeQueue
        let evictionQueue = evictionQueue
        let pods = pods
        nodes.addHandler(InformerHandler(
            onAdd: { nodeQueue.enqueue($0.name) },
            onUpdate: { old, new in
                nodeQueue.enqueue(new.name)
                if old.nodeTaints != new.nodeTaints {
                    for pod in pods.byIndex("nodeName", new.name) { evictionQueue.enqueue(pod.key) }
                }
            }))
        pods.addHandler(InformerHandler(
            onAdd: { pod in if !pod.podNodeName.isEmpty { evictionQueue.enqueue(pod.key) } },
            onUpdate: { old, new in
                if !new.podNodeName.isEmpty && (old.podNodeName != new.podNodeName || old.podTolerations != new.podTolerations) {
                    evictionQueue.enqueue(new.key)
                }
            }))
    }

    /// How often every node's heartbeat is checked (Kubernetes: 5 s; shorter with a short
    /// grace period so tests need not wait).
    var monitorPeriod: Duration {
        let quarter = context.options.nodeMonitorGracePeriod / 4
        return min(.seconds(5), max(.milliseconds(250), quarter))
    }

    public func run(workers: Int) async {
        await nodes.waitForSync()
        await leases.waitForSync()
        await pods.waitForSync()
        let logger = context.logger
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                await runPeriodically(every: monitorPeriod) {
                    for node in self.nodes.list() { await self.nodeQueue.add(node.name) }
                }
            }
            group.addTask { [self] in
                await runReconcileLoop(queue: nodeQueue, workers: workers, logger: logger, controller: name) { node in
                    try await self.monitor(nodeName: node, now: Date())
                }
            }
            group.addTask { [self] in
                await runReconcileLoop(queue: evictionQueue, workers: workers, logger: logger, controller: name) { pod in
                    try await self.evictIfUntolerated(podKey: pod, now: Date())
                }
            }
        }
    }

    // MARK: Node health and taints

    func monitor(nodeName: String, now: Date) async throws {
        guard var node = nodes.get(nodeName), !node.isBeingDeleted else { return }
        let lease = leases.get(namespace: Self.leaseNamespace, name: nodeName)
        let stamp = ControllerTime.format(now)
        if NodeHealth.isStale(node: node, lease: lease, now: now, gracePeriod: context.options.nodeMonitorGracePeriod),
           let marked = NodeHealth.markedUnknown(node, now: stamp) {
            let wasReady = node.conditionStatus("Ready") == "True"
            node = try await context.client.update(.nodes, marked, subresource: "status")
            context.logger.info("node stopped posting status", metadata: ["node": "\(nodeName)"])
            if wasReady {
                recorder.record(node, type: .normal, reason: "NodeNotReady", message: "Node \(nodeName) status is now: NodeNotReady")
            }
            await markPodsNotReady(nodeName: nodeName, now: stamp)
        }
        let desired = NodeHealth.desiredTaints(readyStatus: node.conditionStatus("Ready"))
        if let taints = NodeHealth.reconciledTaints(current: node.nodeTaints, desired: desired, now: stamp) {
            var updated = node
            updated.modify("spec") { spec in
                var s = spec ?? .emptyObject
                s["taints"] = taints.isEmpty ? nil : .array(taints.map(\.json))
                spec = s
            }
            _ = try await context.client.update(.nodes, updated)
        }
    }

    /// Sets `Ready=False` on every pod of the node (its kubelet can no longer say otherwise).
    private func markPodsNotReady(nodeName: String, now: String) async {
        for cached in pods.byIndex("nodeName", nodeName) where cached.conditionStatus("Ready") != "False" {
            for _ in 0..<3 {
                do {
                    let pod = try await context.client.get(.pods, namespace: cached.namespace, name: cached.name)
                    guard pod.podNodeName == nodeName, pod.conditionStatus("Ready") != "False" else { break }
                    var updated = pod
                    updated.modify("status") { status in
                        var s = status ?? .emptyObject
                        var conditions = s["conditions"]?.arrayValue ?? []
                        if let index = conditions.firstIndex(where: { $0["type"]?.stringValue == "Ready" }) {
                            conditions[index]["status"] = "False"
                            conditions[index]["lastTransitionTime"] = .string(now)
                        } else {
                            conditions.append(["type": "Ready", "status": "False", "lastTransitionTime": .string(now)])
                        }
                        s["conditions"] = .array(conditions)
                        status = s
                    }
                    _ = try await context.client.update(.pods, updated, subresource: "status")
                    recorder.record(pod, type: .warning, reason: "NodeNotReady", message: "Node is not ready")
                    break
                } catch let error as ClientError where error.isConflict {
                    continue
                } catch {
                    break
                }
            }
        }
    }

    // MARK: NoExecute taint manager

    func evictIfUntolerated(podKey: String, now: Date) async throws {
        guard let pod = pods.get(podKey), !pod.isBeingDeleted, !pod.podNodeName.isEmpty,
              let node = nodes.get(pod.podNodeName) else { return }
        let taints = node.nodeTaints.filter { $0.effect == Taint.noExecute }
        switch NoExecuteEviction.decide(taints: taints, tolerations: pod.podTolerations) {
        case .never:
            return
        case .after(let seconds):
            let since = taints.compactMap { ControllerTime.parse($0.timeAdded) }.min() ?? now
            let remaining = since.addingTimeInterval(TimeInterval(seconds)).timeIntervalSince(now)
            if remaining > 0 {
                await evictionQueue.add(podKey, after: .milliseconds(Int64(remaining * 1000) + 50))
                return
            }
        case .now:
            break
        }
        try await evict(pod)
    }

    private func evict(_ pod: JSONValue) async throws {
        recorder.record(pod, type: .normal, reason: "TaintManagerEviction",
                        message: "Marking for deletion Pod \(pod.key)")
        do {
            var marked = pod
            marked.modify("status") { status in
                var s = status ?? .emptyObject
                var conditions = (s["conditions"]?.arrayValue ?? []).filter { $0["type"]?.stringValue != "DisruptionTarget" }
                conditions.append(["type": "DisruptionTarget", "status": "True", "reason": "DeletionByTaintManager",
                                   "message": "Taint manager: deleting due to NoExecute taint",
                                   "lastTransitionTime": .string(ControllerTime.now)])
                s["conditions"] = .array(conditions)
                status = s
            }
            _ = try? await context.client.update(.pods, marked, subresource: "status")
            try await context.client.delete(.pods, namespace: pod.namespace, name: pod.name,
                                            options: DeleteOptions(preconditionUID: pod.uid))
            context.logger.info("evicted pod from tainted node", metadata: ["pod": "\(pod.key)", "node": "\(pod.podNodeName)"])
        } catch let error as ClientError where error.isNotFound {
        }
    }
}
