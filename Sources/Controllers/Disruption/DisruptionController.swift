import APIModel
import ClusterClient
import Foundation
import Logging

/// Maintains PodDisruptionBudget status: `expectedPods` (the scale of the selected pods'
/// controllers, or the pod count for an integer minAvailable), `currentHealthy` (ready pods
/// not being deleted nor recently evicted), `desiredHealthy`, `disruptionsAllowed`,
/// `observedGeneration` and the `DisruptionAllowed` condition. The apiserver's eviction
/// consumes `disruptionsAllowed` and records the evicted pod in `disruptedPods`, which this
/// controller forgets once the pod is gone or after two minutes.
public final class DisruptionController: Controller {
    public let name = "disruption-controller"
    /// How long an eviction recorded in `disruptedPods` is trusted to be in progress.
    static let disruptedPodTimeout: TimeInterval = 120

    private let context: ControllerContext
    private let budgets: SharedInformer
    private let pods: SharedInformer
    private let replicaSets: SharedInformer
    private let deployments: SharedInformer
    private let statefulSets: SharedInformer
    private let replicationControllers: SharedInformer
    private let queue = WorkQueue<String>(name: "disruption")
    private let recorder: EventRecorder

    public init(context: ControllerContext) {
        self.context = context
        budgets = context.informers.informer(for: .podDisruptionBudgets)
        pods = context.informers.informer(for: .pods)
        replicaSets = context.informers.informer(for: .replicaSets)
        deployments = context.informers.informer(for: .deployments)
        statefulSets = context.informers.informer(for: .statefulSets)
        replicationControllers = context.informers.informer(for: .replicationControllers)
        recorder = context.eventRecorder(component: "controllermanager")
        let queue = queue
        let budgets = budgets
        budgets.addHandler(InformerHandler(
            onAdd: { queue.enqueue($0.key) },
            onUpdate: { _, new in queue.enqueue(new.key) }))
        let enqueueBudgets: @Sendable (JSONValue) -> Void = { pod in
            guard let namespace = pod.namespace else { return }
            for budget in budgets.list(namespace: namespace) where Self.selects(budget, pod) { queue.enqueue(budget.key) }
        }
        pods.addHandler(InformerHandler(
            onAdd: enqueueBudgets,
            onUpdate: { old, new in enqueueBudgets(old); enqueueBudgets(new) },
            onDelete: enqueueBudgets))
        // A scale change changes expectedPods: recheck every budget of that namespace.
        let enqueueNamespace: @Sendable (JSONValue) -> Void = { controller in
            guard let namespace = controller.namespace else { return }
            for budget in budgets.list(namespace: namespace) { queue.enqueue(budget.key) }
        }
        for informer in [replicaSets, deployments, statefulSets, replicationControllers] {
            informer.addHandler(InformerHandler(onUpdate: { _, new in enqueueNamespace(new) }))
        }
    }

    /// policy/v1: a null selector selects nothing, `{}` every pod of the namespace.
    static func selects(_ budget: JSONValue, _ pod: JSONValue) -> Bool {
        guard budget.namespace == pod.namespace, let selector = try? LabelSelector(json: budget["spec"]?["selector"] ?? .null) else {
            return false
        }
        return selector.matches(pod.labels)
    }

    public func run(workers: Int) async {
        for informer in [budgets, pods, replicaSets, deployments, statefulSets, replicationControllers] { await informer.waitForSync() }
        await runReconcileLoop(queue: queue, workers: workers, logger: context.logger, controller: name) { [self] key in
            try await reconcile(key: key, now: Date())
        }
    }

    func reconcile(key: String, now: Date) async throws {
        guard let budget = budgets.get(key), !budget.isBeingDeleted, let namespace = budget.namespace else { return }
        let selected = pods.list(namespace: namespace).filter { Self.selects(budget, $0) }
        let minAvailable = BudgetAmount(budget["spec"]?["minAvailable"])
        let maxUnavailable = BudgetAmount(budget["spec"]?["maxUnavailable"])

        var expected = selected.count
        var failure: String?
        if DisruptionBudgetMath.needsControllerScale(minAvailable: minAvailable, maxUnavailable: maxUnavailable) {
            switch expectedFromControllers(selected) {
            case .success(let count): expected = count
            case .failure(let error): failure = error.description
            }
        }
        // disruptedPods: keep entries whose pod still exists, is not yet being deleted, and
        // whose eviction is recent.
        var disrupted: [String: String] = [:]
        if let recorded = budget["status"]?["disruptedPods"]?.objectValue {
            for (podName, value) in recorded {
                guard let time = ControllerTime.parse(value.stringValue), now.timeIntervalSince(time) < Self.disruptedPodTimeout,
                      let pod = pods.get(namespace: namespace, name: podName), !pod.isBeingDeleted else { continue }
                disrupted[podName] = value.stringValue
            }
        }
        let healthy = selected.filter { $0.isPodReady && !$0.isBeingDeleted && disrupted[$0.name] == nil }.count
        let desired = DisruptionBudgetMath.desiredHealthy(minAvailable: minAvailable, maxUnavailable: maxUnavailable, expectedPods: expected)
        var allowed = DisruptionBudgetMath.disruptionsAllowed(currentHealthy: healthy, desiredHealthy: desired, expectedPods: expected)
        if let failure {
            recorder.record(budget, type: .warning, reason: "CalculateExpectedPodCountFailed",
                            message: "Failed to calculate the number of expected pods: \(failure)")
            allowed = 0
        }
        var status = budget["status"] ?? .emptyObject
        status["observedGeneration"] = .int(budget.generation)
        status["expectedPods"] = .int(Int64(expected))
        status["currentHealthy"] = .int(Int64(healthy))
        status["desiredHealthy"] = .int(Int64(desired))
        status["disruptionsAllowed"] = .int(Int64(allowed))
        let disruptedKeys = disrupted.keys.sorted()
        status["disruptedPods"] = disruptedKeys.isEmpty ? nil
            : .object(JSONObject(keys: disruptedKeys, values: disruptedKeys.map { .string(disrupted[$0] ?? "") }))
        status["conditions"] = .array(Self.conditions(existing: budget["status"]?["conditions"]?.arrayValue ?? [],
                                                      allowed: allowed > 0, syncFailure: failure,
                                                      generation: budget.generation, now: ControllerTime.format(now)))
        guard status != budget["status"] else { return }
        var updated = budget
        updated["status"] = status
        _ = try await context.client.update(.podDisruptionBudgets, updated, subresource: "status")
    }

    /// The `DisruptionAllowed` condition, its transition time kept while its status holds.
    static func conditions(existing: [JSONValue], allowed: Bool, syncFailure: String?, generation: Int64, now: String) -> [JSONValue] {
        let status = allowed ? "True" : "False"
        let reason = syncFailure != nil ? "SyncFailed" : (allowed ? "SufficientPods" : "InsufficientPods")
        let previous = existing.first { $0["type"]?.stringValue == "DisruptionAllowed" }
        let transition = previous?["status"]?.stringValue == status ? (previous?["lastTransitionTime"] ?? .string(now)) : .string(now)
        let condition: JSONValue = ["type": "DisruptionAllowed", "status": .string(status), "reason": .string(reason),
                                    "message": .string(syncFailure ?? ""), "observedGeneration": .int(generation),
                                    "lastTransitionTime": transition]
        return existing.filter { $0["type"]?.stringValue != "DisruptionAllowed" } + [condition]
    }

    /// The sum of the scales of the distinct controllers of `pods` (a ReplicaSet owned by a
    /// Deployment counts as its Deployment).
    private func expectedFromControllers(_ pods: [JSONValue]) -> Result<Int, DisruptionError> {
        var seen: Set<String> = []
        var total = 0
        for pod in pods {
            guard let reference = pod.controllerReference, let namespace = pod.namespace else {
                return .failure(DisruptionError("found no controller for pod \(pod.name)"))
            }
            guard let (uid, replicas) = scale(of: reference, namespace: namespace) else {
                return .failure(DisruptionError("found no scale for the controller \(reference.kind)/\(reference.name) of pod \(pod.name)"))
            }
            if seen.insert(uid).inserted { total += replicas }
        }
        return .success(total)
    }

    private func scale(of reference: OwnerReference, namespace: String) -> (String, Int)? {
        let informer: SharedInformer
        switch reference.kind {
        case "ReplicaSet": informer = replicaSets
        case "StatefulSet": informer = statefulSets
        case "ReplicationController": informer = replicationControllers
        case "Deployment": informer = deployments
        default: return nil
        }
        guard let object = informer.get(namespace: namespace, name: reference.name), object.uid == reference.uid else { return nil }
        if reference.kind == "ReplicaSet", let owner = object.controllerReference, owner.kind == "Deployment" {
            return scale(of: owner, namespace: namespace)
        }
        return (object.uid, Int(object["spec"]?["replicas"]?.intValue ?? 1))
    }

    struct DisruptionError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
