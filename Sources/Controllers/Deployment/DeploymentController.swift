import APIModel
import ClusterClient
import Foundation
import Logging

/// Rolls Deployments out through ReplicaSets, one per distinct pod template, named
/// `<deployment>-<pod-template-hash>`: RollingUpdate within maxSurge/maxUnavailable or
/// Recreate, proportional scaling while paused or mid-rollout, revision numbers and history
/// cleanup, rollbacks (a template equal to an old ReplicaSet's brings that set back with a
/// new revision), and the status and conditions `kubectl rollout status` reads.
public final class DeploymentController: Controller {
    public let name = "deployment-controller"

    static let revisionAnnotation = "deployment.kubernetes.io/revision"
    static let desiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas"
    static let maxReplicasAnnotation = "deployment.kubernetes.io/max-replicas"
    static let hashLabel = "pod-template-hash"

    let client: ClusterClient
    let deployments: SharedInformer
    let replicaSets: SharedInformer
    let pods: SharedInformer
    let events: EventRecorder
    let rsRefManager: ControllerRefManager
    let loop: ReconcileLoop
    let logger: Logger
    /// The controller's clock (tests may move it to reach a progress deadline sooner).
    let now: @Sendable () -> Date

    public convenience init(context: ControllerContext) {
        self.init(context: context, now: { Date() })
    }

    public init(context: ControllerContext, now: @escaping @Sendable () -> Date) {
        client = context.client
        deployments = context.informers.informer(for: .deployments)
        replicaSets = context.informers.informer(for: .replicaSets)
        pods = context.informers.informer(for: .pods)
        events = context.eventRecorder(component: "deployment-controller")
        rsRefManager = ControllerRefManager(client: context.client, resource: .replicaSets,
                                            ownerResource: .deployments, logger: context.logger)
        loop = ReconcileLoop(name: "deployment", logger: context.logger)
        logger = context.logger
        self.now = now
        registerHandlers()
    }

    public func run(workers: Int) async {
        await loop.run(workers: workers, informers: [deployments, replicaSets, pods]) { [weak self] key in
            try await self?.sync(key)
        }
    }

    private func registerHandlers() {
        let loop = loop
        deployments.addHandler(InformerHandler(
            onAdd: { loop.enqueue($0.key) },
            onUpdate: { _, new in loop.enqueue(new.key) },
            onDelete: { loop.enqueue($0.key) }))
        replicaSets.addHandler(InformerHandler(
            onAdd: { [weak self] in self?.replicaSetChanged($0) },
            onUpdate: { [weak self] old, new in
                if let oldKey = OwnerRefs.controllerKey(of: old, kind: "Deployment"),
                   oldKey != OwnerRefs.controllerKey(of: new, kind: "Deployment") {
                    loop.enqueue(oldKey)
                }
                self?.replicaSetChanged(new)
            },
            onDelete: { [weak self] in self?.replicaSetChanged($0) }))
        // Recreate waits for the old pods to be gone.
        pods.addHandler(InformerHandler(onDelete: { [weak self] pod in
            guard let self, let rsKey = OwnerRefs.controllerKey(of: pod, kind: "ReplicaSet"),
                  let rs = replicaSets.get(rsKey),
                  let key = OwnerRefs.controllerKey(of: rs, kind: "Deployment") else { return }
            loop.enqueue(key)
        }))
    }

    private func replicaSetChanged(_ rs: JSONValue) {
        if let key = OwnerRefs.controllerKey(of: rs, kind: "Deployment") {
            loop.enqueue(key)
        } else if rs.controllerReference == nil, let namespace = rs.namespace {
            for deployment in deployments.list(namespace: namespace) {
                if let selector = try? WorkloadSelector.of(deployment), !selector.isEverything,
                   selector.matches(object: rs) {
                    loop.enqueue(deployment.key)
                }
            }
        }
    }

    // MARK: Sync

    func sync(_ key: String) async throws {
        guard var deployment = deployments.get(key) else { return }
        let selector: LabelSelector
        do {
            selector = try WorkloadSelector.of(deployment)
        } catch {
            logger.warning("deployment \(key) has an invalid selector: \(error)")
            return
        }
        if selector.isEverything {
            events.record(deployment, type: .warning, reason: "SelectingAll",
                          message: "This deployment is selecting all pods. A non-empty selector is required.")
            return
        }
        let candidates = replicaSets.list(namespace: deployment.namespace ?? "")
        let owned = try await rsRefManager.claim(owner: deployment, selector: selector, candidates: candidates)

        if deployment.isBeingDeleted {
            try await syncStatusOnly(deployment, owned)
            return
        }
        deployment = try await checkPausedConditions(deployment)
        if isPaused(deployment) || isScalingEvent(deployment, owned) {
            try await syncScaling(deployment, owned)
            return
        }
        if deployment.string("spec", "strategy", "type") == "Recreate" {
            try await rolloutRecreate(deployment, owned)
        } else {
            try await rolloutRolling(deployment, owned)
        }
    }

    func isPaused(_ deployment: JSONValue) -> Bool { deployment["spec"]?["paused"]?.boolValue == true }

    func desiredReplicas(_ deployment: JSONValue) -> Int { deployment.int("spec", "replicas", default: 1) }

    func fenceposts(_ deployment: JSONValue) -> RolloutArithmetic.Fenceposts {
        guard deployment.string("spec", "strategy", "type") != "Recreate" else {
            return RolloutArithmetic.Fenceposts(maxSurge: 0, maxUnavailable: 0)
        }
        let rolling = deployment["spec"]?["strategy"]?["rollingUpdate"]
        return (try? RolloutArithmetic.fenceposts(replicas: desiredReplicas(deployment),
                                                  maxSurge: rolling?["maxSurge"],
                                                  maxUnavailable: rolling?["maxUnavailable"]))
            ?? RolloutArithmetic.Fenceposts(maxSurge: 1, maxUnavailable: 0)
    }
}
