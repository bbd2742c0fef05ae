import APIModel
import ClusterClient
import Foundation
import Logging

/// Creates a Job from a CronJob's jobTemplate at each scheduled time (in `timeZone`),
/// named `<cronjob>-<scheduled minutes since the epoch>` so a time is never run twice;
/// honours suspend, concurrencyPolicy (Allow, Forbid, Replace) and startingDeadlineSeconds,
/// keeps `status.active`, `lastScheduleTime` and `lastSuccessfulTime`, and deletes finished
/// Jobs beyond the history limits.
public final class CronJobController: Controller {
    public let name = "cronjob-controller"
    /// More missed times than this and the controller only warns and runs the latest.
    static let missedTimesLimit = 100

    let client: ClusterClient
    let cronJobs: SharedInformer
    let jobs: SharedInformer
    let events: EventRecorder
    let loop: ReconcileLoop
    let logger: Logger
    let now: @Sendable () -> Date

    public convenience init(context: ControllerContext) {
        self.init(context: context, now: { Date() })
    }

    /// `now` is the controller's clock; tests move it forward to reach a schedule sooner.
    public init(context: ControllerContext, now: @escaping @Sendable () -> Date) {
        client = context.client
        cronJobs = context.informers.informer(for: .cronJobs)
        jobs = context.informers.informer(for: .jobs)
        events = context.eventRecorder(component: "cronjob-controller")
        loop = ReconcileLoop(name: "cronjob", logger: context.logger)
        logger = context.logger
        self.now = now
        let loop = loop
        cronJobs.addHandler(InformerHandler(
            onAdd: { loop.enqueue($0.key) },
            onUpdate: { _, new in loop.enqueue(new.key) }))
        let ownerChanged: @Sendable (JSONValue) -> Void = { job in
            if let key = OwnerRefs.controllerKey(of: job, kind: "CronJob") { loop.enqueue(key) }
        }
        jobs.addHandler(InformerHandler(onAdd: ownerChanged, onUpdate: { _, new in ownerChanged(new) }, onDelete: ownerChanged))
    }

    public func run(workers: Int) async {
        await loop.run(workers: workers, informers: [cronJobs, jobs]) { [weak self] key in try await self?.sync(key) }
    }

    static func jobName(_ cronJob: JSONValue, scheduledAt time: Date) -> String {
        "\(cronJob.name)-\(Int(time.timeIntervalSince1970 / 60))"
    }

    static func finishedCondition(_ job: JSONValue) -> String? {
        if Conditions.isTrue(job, "Complete") { return "Complete" }
        if Conditions.isTrue(job, "Failed") { return "Failed" }
        return nil
    }

    /// The latest scheduled time in (`earliest`, `now`] and how many there were (counting
    /// stops just past the limit; the latest is then found from a window before `now`).
    static func mostRecentMissed(_ schedule: CronExpression, earliest: Date, now: Date, timeZone: TimeZone) -> (Date?, Int) {
        var count = 0
        var latest: Date?
        var cursor = earliest
        while let next = schedule.next(after: cursor, in: timeZone), next <= now {
            latest = next
            count += 1
            cursor = next
            if count > missedTimesLimit { break }
        }
        guard count > missedTimesLimit else { return (latest, count) }
        for window: TimeInterval in [60, 3_600, 86_400, 32 * 86_400, 367 * 86_400] {
            var cursor = max(now.addingTimeInterval(-window), earliest)
            var found: Date?
            while let next = schedule.next(after: cursor, in: timeZone), next <= now {
                found = next
                cursor = next
            }
            if let found { return (found, count) }
        }
        return (latest, count)
    }

    func sync(_ key: String) async throws {
        guard let cronJob = cronJobs.get(key) else { return }
        let now = now()
        var status = cronJob["status"] ?? .emptyObject
        let owned = jobs.list(namespace: cronJob.namespace ?? "").filter { OwnerRefs.isControlled($0, by: cronJob) }
        var active = reconcileActive(cronJob, owned: owned, status: &status)
        try await cleanupHistory(cronJob, owned: owned)

        if cronJob.isBeingDeleted || cronJob["spec"]?["suspend"]?.boolValue == true {
            try await writeStatus(cronJob, status)
            return
        }
        let schedule: CronExpression
        do {
            schedule = try CronExpression(parsing: cronJob.string("spec", "schedule") ?? "")
        } catch {
            events.record(cronJob, type: .warning, reason: "UnparseableSchedule", message: "unparseable schedule: \(error)")
            return
        }
        let timeZone: TimeZone
        if let identifier = cronJob.string("spec", "timeZone") {
            guard let zone = TimeZone(identifier: identifier) else {
                events.record(cronJob, type: .warning, reason: "UnknownTimeZone", message: "invalid timeZone: \"\(identifier)\"")
                return
            }
            timeZone = zone
        } else {
            timeZone = TimeZone(identifier: "UTC") ?? .current
        }
        var earliest = Timestamps.parse(cronJob.string("status", "lastScheduleTime")) ?? PodFacts.created(cronJob)
        let startingDeadline = cronJob["spec"]?["startingDeadlineSeconds"]?.intValue
        if let startingDeadline { earliest = max(earliest, now.addingTimeInterval(-TimeInterval(startingDeadline))) }
        let (missed, count) = Self.mostRecentMissed(schedule, earliest: earliest, now: now, timeZone: timeZone)
        if let next = schedule.next(after: now, in: timeZone) {
            loop.enqueue(key, after: .seconds(max(next.timeIntervalSince(now), 0) + 0.2))
        }
        if count > Self.missedTimesLimit {
            events.record(cronJob, type: .warning, reason: "TooManyMissedTimes",
                          message: "too many missed start times: \(count). Set or decrease .spec.startingDeadlineSeconds or check clock skew")
        }
        guard let scheduled = missed else {
            try await writeStatus(cronJob, status)
            return
        }
        if let startingDeadline, scheduled.addingTimeInterval(TimeInterval(startingDeadline)) < now {
            events.record(cronJob, type: .warning, reason: "MissSchedule",
                          message: "Missed scheduled time to start a job: \(Timestamps.format(scheduled))")
            try await writeStatus(cronJob, status)
            return
        }
        let name = Self.jobName(cronJob, scheduledAt: scheduled)
        if active.contains(where: { $0["name"]?.stringValue == name }) || owned.contains(where: { $0.name == name }) {
            try await writeStatus(cronJob, status)
            return
        }
        switch cronJob.string("spec", "concurrencyPolicy") ?? "Allow" {
        case "Forbid" where !active.isEmpty:
            events.record(cronJob, type: .normal, reason: "JobAlreadyActive",
                          message: "Not starting job because prior execution is running and concurrency policy is Forbid")
            try await writeStatus(cronJob, status)
            return
        case "Replace":
            for reference in active {
                guard let jobName = reference["name"]?.stringValue else { continue }
                do {
                    try await client.delete(.jobs, namespace: cronJob.namespace, name: jobName,
                                            options: DeleteOptions(propagationPolicy: .background))
                    events.record(cronJob, type: .normal, reason: "SuccessfulDelete", message: "Deleted job \(jobName)")
                } catch let error as ClientError where error.isNotFound {}
            }
            active = []
        default:
            break
        }
        let created: JSONValue
        do {
            created = try await client.create(.jobs, namespace: cronJob.namespace,
                                              Self.job(cronJob, name: name, scheduled: scheduled, timeZone: timeZone))
            events.record(cronJob, type: .normal, reason: "SuccessfulCreate", message: "Created job \(name)")
        } catch let error as ClientError where error.isAlreadyExists {
            created = try await client.get(.jobs, namespace: cronJob.namespace, name: name)
        } catch {
            events.record(cronJob, type: .warning, reason: "FailedCreate", message: "Error creating job: \(error)")
            throw error
        }
        if OwnerRefs.isControlled(created, by: cronJob), Self.finishedCondition(created) == nil {
            active.append(Self.reference(created))
        }
        status["active"] = active.isEmpty ? nil : .array(active)
        status["lastScheduleTime"] = .string(Timestamps.format(scheduled))
        try await writeStatus(cronJob, status)
    }

    static func job(_ cronJob: JSONValue, name: String, scheduled: Date, timeZone: TimeZone) -> JSONValue {
        let template = cronJob["spec"]?["jobTemplate"] ?? .emptyObject
        var metadata: JSONValue = ["name": .string(name), "namespace": .string(cronJob.namespace ?? "default")]
        if let labels = template["metadata"]?["labels"] { metadata["labels"] = labels }
        var annotations = template["metadata"]?["annotations"]?.objectValue ?? JSONObject()
        var style = Date.ISO8601FormatStyle()
        style.timeZone = timeZone
        annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"] = .string(scheduled.formatted(style))
        metadata["annotations"] = .object(annotations)
        metadata["ownerReferences"] = [OwnerRefs.controllerRef(to: cronJob, .cronJobs)]
        var job: JSONValue = ["apiVersion": "batch/v1", "kind": "Job"]
        job["metadata"] = metadata
        job["spec"] = template["spec"] ?? .emptyObject
        return job
    }

    static func reference(_ job: JSONValue) -> JSONValue {
        ["apiVersion": "batch/v1", "kind": "Job", "name": .string(job.name),
         "namespace": .string(job.namespace ?? ""), "uid": .string(job.uid), "resourceVersion": .string(job.resourceVersion)]
    }

    /// Drops finished or vanished Jobs from `status.active` (recording lastSuccessfulTime)
    /// and adds running owned Jobs it lacks; returns the new active list.
    private func reconcileActive(_ cronJob: JSONValue, owned: [JSONValue], status: inout JSONValue) -> [JSONValue] {
        var active: [JSONValue] = []
        let byUID = Dictionary(owned.map { ($0.uid, $0) }, uniquingKeysWith: { a, _ in a })
        for reference in status["active"]?.arrayValue ?? [] {
            guard let uid = reference["uid"]?.stringValue, let job = byUID[uid] else { continue }
            if let finished = Self.finishedCondition(job) {
                events.record(cronJob, type: .normal, reason: "SawCompletedJob",
                              message: "Saw completed job: \(job.name), status: \(finished)")
            } else {
                active.append(reference)
            }
        }
        for job in owned where Self.finishedCondition(job) == nil && !active.contains(where: { $0["uid"]?.stringValue == job.uid }) {
            active.append(Self.reference(job))
        }
        var lastSuccess = Timestamps.parse(status["lastSuccessfulTime"]?.stringValue)
        for job in owned where Self.finishedCondition(job) == "Complete" {
            if let completed = Timestamps.parse(job.string("status", "completionTime")), completed > (lastSuccess ?? .distantPast) {
                lastSuccess = completed
            }
        }
        if let lastSuccess { status["lastSuccessfulTime"] = .string(Timestamps.format(lastSuccess)) }
        status["active"] = active.isEmpty ? nil : .array(active)
        return active
    }

    private func cleanupHistory(_ cronJob: JSONValue, owned: [JSONValue]) async throws {
        let limits = [("Complete", cronJob.int("spec", "successfulJobsHistoryLimit", default: 3)),
                      ("Failed", cronJob.int("spec", "failedJobsHistoryLimit", default: 1))]
        for (kind, limit) in limits {
            let finished = owned.filter { Self.finishedCondition($0) == kind && !$0.isBeingDeleted }
                .sorted { PodFacts.created($0) < PodFacts.created($1) }
            guard finished.count > limit else { continue }
            for job in finished.prefix(finished.count - limit) {
                do {
                    try await client.delete(.jobs, namespace: job.namespace, name: job.name,
                                            options: DeleteOptions(propagationPolicy: .background, preconditionUID: job.uid))
                    events.record(cronJob, type: .normal, reason: "SuccessfulDelete", message: "Deleted job \(job.name)")
                } catch let error as ClientError where error.isNotFound {}
            }
        }
    }

    private func writeStatus(_ cronJob: JSONValue, _ status: JSONValue) async throws {
        guard status != cronJob["status"] ?? .emptyObject else { return }
        try await StatusWriter.write(client, .cronJobs, cronJob, status: status)
    }
}
