import APIModel
import ClusterClient
import Foundation
import Logging

/// Deletes finished Jobs (Complete or Failed) once `ttlSecondsAfterFinished` has passed
/// since they finished, with background propagation so their pods go too.
public final class TTLAfterFinishedController: Controller {
    public let name = "ttl-after-finished-controller"
    let client: ClusterClient
    let jobs: SharedInformer
    let loop: ReconcileLoop
    let logger: Logger

    public init(context: ControllerContext) {
        client = context.client
        jobs = context.informers.informer(for: .jobs)
        loop = ReconcileLoop(name: "ttl-after-finished", logger: context.logger)
        logger = context.logger
        let loop = loop
        jobs.addHandler(InformerHandler(
            onAdd: { job in if Self.needsCleanup(job) { loop.enqueue(job.key) } },
            onUpdate: { _, job in if Self.needsCleanup(job) { loop.enqueue(job.key) } }))
    }

    public func run(workers: Int) async {
        await loop.run(workers: workers, informers: [jobs]) { [weak self] key in try await self?.sync(key) }
    }

    static func needsCleanup(_ job: JSONValue) -> Bool {
        job["spec"]?["ttlSecondsAfterFinished"]?.intValue != nil && JobController.isFinished(job) && !job.isBeingDeleted
    }

    /// When the Job finished: its completionTime, else the Failed condition's transition.
    static func finishTime(_ job: JSONValue) -> Date? {
        if let completion = Timestamps.parse(job.string("status", "completionTime")) { return completion }
        for type in ["Failed", "Complete"] {
            if let condition = Conditions.find(job, type), condition["status"]?.stringValue == "True" {
                return Timestamps.parse(condition["lastTransitionTime"]?.stringValue)
            }
        }
        return nil
    }

    func sync(_ key: String) async throws {
        guard let job = jobs.get(key), Self.needsCleanup(job),
              let ttl = job["spec"]?["ttlSecondsAfterFinished"]?.intValue,
              let finished = Self.finishTime(job) else { return }
        let expiry = finished.addingTimeInterval(TimeInterval(ttl))
        let remaining = expiry.timeIntervalSinceNow
        if remaining > 0 {
            loop.enqueue(key, after: .seconds(remaining + 0.5))
            return
        }
        do {
            try await client.delete(.jobs, namespace: job.namespace, name: job.name,
                                    options: DeleteOptions(propagationPolicy: .background, preconditionUID: job.uid))
            logger.info("deleted job \(key) \(ttl)s after it finished")
        } catch let error as ClientError where error.isNotFound {}
    }
}
