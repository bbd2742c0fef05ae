import Foundation

/// Printers for the controllers that own pods: Deployment, ReplicaSet, ReplicationController,
/// StatefulSet, DaemonSet, Job and CronJob (columns as `kubectl get` shows them).
enum WorkloadTablePrinters {
    static let deployment = TablePrinter(columns: [
        .nameColumn(),
        TableColumn("Ready", "Ready pods out of the desired replicas."),
        TableColumn("Up-to-date", "Pods running the newest template."),
        TableColumn("Available", "Pods available for at least minReadySeconds."),
        .age, .containers, .images, .selector,
    ]) { d, now in
        let (names, images) = TableFormat.containerCells(d.value(at: ["spec", "template", "spec"]))
        let selector = TableFormat.selector(d.value(at: ["spec", "selector"])) ?? "<invalid>"
        return [.string(d.tableName), .string("\(d.tableInt("status", "readyReplicas"))/\(replicas(d))"),
                .int(d.tableInt("status", "updatedReplicas")), .int(d.tableInt("status", "availableReplicas")),
                d.tableAge(now), names, images, .string(selector)]
    }

    static let replicaSet = TablePrinter(columns: [
        .nameColumn(),
        TableColumn("Desired", type: "integer", "Desired replicas."),
        TableColumn("Current", type: "integer", "Replicas created."),
        TableColumn("Ready", type: "integer", "Ready replicas."),
        .age, .containers, .images, .selector,
    ]) { rs, now in
        let (names, images) = TableFormat.containerCells(rs.value(at: ["spec", "template", "spec"]))
        return [.string(rs.tableName), .int(replicas(rs)), .int(rs.tableInt("status", "replicas")),
                .int(rs.tableInt("status", "readyReplicas")), rs.tableAge(now), names, images,
                .string(TableFormat.labelSelector(rs.value(at: ["spec", "selector"])))]
    }

    static let replicationController = TablePrinter(columns: replicaSet.columns) { rc, now in
        let (names, images) = TableFormat.containerCells(rc.value(at: ["spec", "template", "spec"]))
        return [.string(rc.tableName), .int(replicas(rc)), .int(rc.tableInt("status", "replicas")),
                .int(rc.tableInt("status", "readyReplicas")), rc.tableAge(now), names, images,
                .string(TableFormat.labels(rc.tableObject("spec", "selector")))]
    }

    static let statefulSet = TablePrinter(columns: [
        .nameColumn(),
        TableColumn("Ready", "Ready pods out of the desired replicas."),
        .age, .containers, .images,
    ]) { sts, now in
        let (names, images) = TableFormat.containerCells(sts.value(at: ["spec", "template", "spec"]))
        return [.string(sts.tableName), .string("\(sts.tableInt("status", "readyReplicas"))/\(replicas(sts))"),
                sts.tableAge(now), names, images]
    }

    static let daemonSet = TablePrinter(columns: [
        .nameColumn(),
        TableColumn("Desired", type: "integer", "Nodes that should run the daemon pod."),
        TableColumn("Current", type: "integer", "Nodes running at least one daemon pod."),
        TableColumn("Ready", type: "integer", "Nodes whose daemon pod is ready."),
        TableColumn("Up-to-date", type: "integer", "Nodes running the newest template."),
        TableColumn("Available", type: "integer", "Nodes whose daemon pod is available."),
        TableColumn("Node Selector", "The pod template's node selector."),
        .age, .containers, .images, .selector,
    ]) { ds, now in
        let (names, images) = TableFormat.containerCells(ds.value(at: ["spec", "template", "spec"]))
        return [.string(ds.tableName), .int(ds.tableInt("status", "desiredNumberScheduled")),
                .int(ds.tableInt("status", "currentNumberScheduled")), .int(ds.tableInt("status", "numberReady")),
                .int(ds.tableInt("status", "updatedNumberScheduled")), .int(ds.tableInt("status", "numberAvailable")),
                .string(TableFormat.labels(ds.tableObject("spec", "template", "spec", "nodeSelector"))),
                ds.tableAge(now), names, images, .string(TableFormat.labelSelector(ds.value(at: ["spec", "selector"])))]
    }

    static let job = TablePrinter(columns: [
        .nameColumn(),
        TableColumn("Status", "The job's state: Running, Complete, Failed, Suspended, Terminating."),
        TableColumn("Completions", "Succeeded pods out of the completions wanted."),
        TableColumn("Duration", "How long the job ran (or has been running)."),
        .age, .containers, .images, .selector,
    ]) { job, now in
        let (names, images) = TableFormat.containerCells(job.value(at: ["spec", "template", "spec"]))
        return [.string(job.tableName), .string(jobStatus(job)), .string(jobCompletions(job)),
                .string(jobDuration(job, now: now)), job.tableAge(now), names, images,
                .string(TableFormat.labelSelector(job.value(at: ["spec", "selector"])))]
    }

    static let cronJob = TablePrinter(columns: [
        .nameColumn(),
        TableColumn("Schedule", "The cron schedule."),
        TableColumn("Timezone", "The time zone of the schedule."),
        TableColumn("Suspend", type: "boolean", "Whether new runs are suspended."),
        TableColumn("Active", type: "integer", "Jobs currently running."),
        TableColumn("Last Schedule", "Time since a job was last scheduled."),
        .age, .containers, .images, .selector,
    ]) { cj, now in
        let podSpec = cj.value(at: ["spec", "jobTemplate", "spec", "template", "spec"])
        let (names, images) = TableFormat.containerCells(podSpec)
        let last = cj.tableHas("status", "lastScheduleTime")
            ? HumanDuration.since(cj.value(at: ["status", "lastScheduleTime"]), now: now) : "<none>"
        let timeZone = cj.value(at: ["spec", "timeZone"])?.stringValue ?? "<none>"
        return [.string(cj.tableName), .string(cj.tableString("spec", "schedule")), .string(timeZone),
                .string(TableFormat.bool(cj.value(at: ["spec", "suspend"]))), .int(Int64(cj.tableArray("status", "active").count)),
                .string(last), cj.tableAge(now), names, images,
                .string(TableFormat.labelSelector(cj.value(at: ["spec", "jobTemplate", "spec", "selector"])))]
    }

    /// spec.replicas, which the API defaults to 1.
    static func replicas(_ object: JSONValue) -> Int64 { object.value(at: ["spec", "replicas"])?.intValue ?? 1 }

    static func jobStatus(_ job: JSONValue) -> String {
        let conditions = job.tableArray("status", "conditions")
        func has(_ type: String) -> Bool {
            guard let c = conditions.first(where: { $0["type"]?.stringValue == type }) else { return false }
            return c["status"]?.stringValue == "True"
        }
        if has("Complete") { return "Complete" }
        if has("Failed") { return "Failed" }
        if job.tableHas("metadata", "deletionTimestamp") { return "Terminating" }
        if has("Suspended") { return "Suspended" }
        if has("FailureTarget") { return "FailureTarget" }
        return "Running"
    }

    static func jobCompletions(_ job: JSONValue) -> String {
        let succeeded = job.tableInt("status", "succeeded")
        if let completions = job.value(at: ["spec", "completions"])?.intValue {
            return "\(succeeded)/\(completions)"
        }
        let parallelism = job.value(at: ["spec", "parallelism"])?.intValue ?? 0
        return parallelism > 1 ? "\(succeeded)/1 of \(parallelism)" : "\(succeeded)/1"
    }

    static func jobDuration(_ job: JSONValue, now: Date) -> String {
        guard let start = TableTimestamp.date(job.value(at: ["status", "startTime"])) else { return "" }
        let end = TableTimestamp.date(job.value(at: ["status", "completionTime"])) ?? now
        return HumanDuration.format(seconds: end.timeIntervalSince(start))
    }
}
