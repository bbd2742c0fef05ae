import APIModel
import ClusterClient
import Foundation
import Logging

/// Runs a Job's pods to completion (NonIndexed): keeps up to `parallelism` pods running
/// until `completions` have succeeded, replaces failed pods after an exponential delay until
/// more than `backoffLimit` have failed, stops at `activeDeadlineSeconds`, and reports
/// Complete or Failed (BackoffLimitExceeded, DeadlineExceeded) with the counts and times.
public final class JobController: Controller {
    public let name = "job-controller"

    static let jobNameLabel = "batch.kubernetes.io/job-name"
    static let controllerUIDLabel = "batch.kubernetes.io/controller-uid"

    let client: ClusterClient
    let jobs: SharedInformer
    let pods: SharedInformer
    let podControl: PodControl
    let events: EventRecorder
    let refManager: ControllerRefManager
    let expectations = ControllerExpectations()
    let backoff: JobFailureBackoff
    let loop: ReconcileLoop
    let logger: Logger

    public convenience init(context: ControllerContext) {
        self.init(context: context, podFailureBackoff: .seconds(10), maximumBackoff: .seconds(360))
    }

    /// `podFailureBackoff` is the first delay before failed pods are replaced (doubling up to
    /// `maximumBackoff`); tests shorten it.
    public init(context: ControllerContext, podFailureBackoff: Duration, maximumBackoff: Duration) {
        client = context.client
        jobs = context.informers.informer(for: .jobs)
        pods = context.informers.informer(for: .pods)
        events = context.eventRecorder(component: "job-controller")
        podControl = PodControl(client: context.client, events: events)
        refManager = ControllerRefManager(client: context.client, resource: .pods, ownerResource: .jobs, logger: context.logger)
        backoff = JobFailureBackoff(base: podFailureBackoff, maximum: maximumBackoff)
        loop = ReconcileLoop(name: "job", logger: context.logger)
        logger = context.logger
        registerHandlers()
    }

    public func run(workers: Int) async {
        await loop.run(workers: workers, informers: [jobs, pods]) { [weak self] key in try await self?.sync(key) }
    }

    private func registerHandlers() {
        let loop = loop, expectations = expectations
        jobs.addHandler(InformerHandler(
            onAdd: { loop.enqueue($0.key) },
            onUpdate: { _, new in loop.enqueue(new.key) },
            onDelete: { expectations.forget($0.key) }))
        pods.addHandler(InformerHandler(
            onAdd: { pod in
                guard let key = OwnerRefs.controllerKey(of: pod, kind: "Job") else { return }
                expectations.creationObserved(key)
                loop.enqueue(key)
            },
            onUpdate: { old, new in
                guard let key = OwnerRefs.controllerKey(of: new, kind: "Job") else { return }
                if new.isBeingDeleted && !old.isBeingDeleted { expectations.deletionObserved(key, uid: new.uid) }
                loop.enqueue(key)
            },
            onDelete: { pod in
                guard let key = OwnerRefs.controllerKey(of: pod, kind: "Job") else { return }
                expectations.deletionObserved(key, uid: pod.uid)
                loop.enqueue(key)
            }))
    }

    static func isFinished(_ job: JSONValue) -> Bool {
        Conditions.isTrue(job, "Complete") || Conditions.isTrue(job, "Failed")
    }

    /// The Job's selector: its own, or the controller-uid label the apiserver generates
    /// for Jobs without manualSelector.
    static func selector(_ job: JSONValue) throws -> LabelSelector {
        if let selector = job["spec"]?["selector"], !selector.isNull { return try LabelSelector(json: selector) }
        return LabelSelector(requirements: [.init(key: controllerUIDLabel, op: .equals, values: [job.uid])])
    }

    /// The labels every pod of the Job carries.
    static func podLabels(_ job: JSONValue) -> [String: String] {
        [jobNameLabel: job.name, "job-name": job.name, controllerUIDLabel: job.uid, "controller-uid": job.uid]
    }

    // MARK: Sync

    func sync(_ key: String) async throws {
        guard let job = jobs.get(key) else {
            backoff.forget(key)
            return
        }
        guard !Self.isFinished(job), !job.isBeingDeleted else { return }
        let selector = try Self.selector(job)
        let claimed = try await refManager.claim(owner: job, selector: selector, candidates: pods.list(namespace: job.namespace ?? ""))
        let now = Date()
        let active = claimed.filter(PodFacts.isActive)
        let succeeded = max(claimed.filter { PodFacts.phase($0) == "Succeeded" }.count, job.int("status", "succeeded"))
        let failedPods = max(claimed.filter { PodFacts.phase($0) == "Failed" }.count, job.int("status", "failed"))
        let restartPolicy = job.string("spec", "template", "spec", "restartPolicy") ?? "Never"
        let restarts = restartPolicy == "OnFailure" ? Int(active.map(PodFacts.totalRestarts).reduce(0, +)) : 0
        let backoffLimit = job.int("spec", "backoffLimit", default: 6)
        let startTime = Timestamps.parse(job.string("status", "startTime")) ?? now

        var status = job["status"] ?? .emptyObject
        if status["startTime"] == nil, job["spec"]?["suspend"]?.boolValue != true {
            status["startTime"] = .string(Timestamps.format(now))
        }
        var activeCount = active.count

        let pastBackoff = restartPolicy == "OnFailure" ? (restarts + failedPods > backoffLimit || (backoffLimit == 0 && restarts > 0))
                                                       : failedPods > backoffLimit
        let deadline = job["spec"]?["activeDeadlineSeconds"]?.intValue.map { startTime.addingTimeInterval(TimeInterval($0)) }
        let pastDeadline = deadline.map { $0 <= now } ?? false

        if pastBackoff || pastDeadline {
            let (reason, message) = pastBackoff
                ? ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
                : ("DeadlineExceeded", "Job was active longer than specified deadline")
            for pod in active { try await podControl.delete(pod, owner: job) }
            activeCount = 0
            Conditions.set(&status, type: "Failed", status: "True", reason: reason, message: message, now: now)
            events.record(job, type: .warning, reason: reason, message: message)
            status["failed"] = .int(Int64(failedPods + active.count))
        } else {
            let completions = job["spec"]?["completions"]?.intValue.map(Int.init)
            let parallelism = job.int("spec", "parallelism", default: 1)
            let complete = completions.map { succeeded >= $0 } ?? (succeeded > 0 && active.isEmpty)
            if complete {
                for pod in active { try await podControl.delete(pod, owner: job) }
                activeCount = 0
                Conditions.set(&status, type: "Complete", status: "True", reason: "CompletionsReached",
                               message: "Reached expected number of succeeded pods", now: now)
                status["completionTime"] = .string(Timestamps.format(now))
                events.record(job, type: .normal, reason: "Completed", message: "Job completed")
            } else if expectations.isSatisfied(key) {
                var wanted = completions.map { min(parallelism, $0 - succeeded) } ?? (succeeded > 0 ? 0 : parallelism)
                if job["spec"]?["suspend"]?.boolValue == true { wanted = 0 }
                activeCount = try await manage(job, key: key, active: active, wanted: wanted, failures: failedPods)
            }
            status["failed"] = failedPods > 0 || status["failed"] != nil ? .int(Int64(failedPods)) : nil
            if let deadline { loop.enqueue(key, after: .seconds(max(deadline.timeIntervalSince(now), 0) + 1)) }
        }
        status["active"] = activeCount > 0 || status["active"] != nil ? .int(Int64(activeCount)) : nil
        status["succeeded"] = succeeded > 0 || status["succeeded"] != nil ? .int(Int64(succeeded)) : nil
        status["ready"] = .int(Int64(active.filter(PodFacts.isReady).count))
        if status != job["status"] ?? .emptyObject {
            try await StatusWriter.write(client, .jobs, job, status: status)
        }
    }

    /// Creates or deletes pods toward `wanted` active ones; returns the active count after.
    private func manage(_ job: JSONValue, key: String, active: [JSONValue], wanted: Int, failures: Int) async throws -> Int {
        if active.count > wanted {
            let victims = Array(ActivePodRanking.deletionOrder(active).prefix(active.count - wanted))
            expectations.expectDeletions(key, uids: victims.map(\.uid))
            for victim in victims {
                try await podControl.delete(victim, owner: job)
                expectations.deletionObserved(key, uid: victim.uid)
            }
            return wanted
        }
        guard active.count < wanted else { return active.count }
        let wait = backoff.remaining(key, failures: failures)
        if wait > .zero {
            loop.enqueue(key, after: wait)
            return active.count
        }
        let count = wanted - active.count
        guard let template = job["spec"]?["template"] else { return active.count }
        let pod = PodControl.pod(from: template, owner: job, ownerResource: .jobs, extraLabels: Self.podLabels(job))
        expectations.expectCreations(key, count: count)
        let podControl = podControl, expectations = expectations
        let outcome = await SlowStart.run(count: count) { _ in
            do { try await podControl.create(pod, owner: job) } catch {
                expectations.creationObserved(key)
                throw error
            }
        }
        if outcome.skipped > 0 { expectations.creationObserved(key, count: outcome.skipped) }
        if let error = outcome.firstError { throw error }
        return active.count + outcome.succeeded
    }
}
