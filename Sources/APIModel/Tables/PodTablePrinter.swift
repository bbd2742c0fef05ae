import Foundation

/// `kubectl get pods`: Name, Ready, Status, Restarts, Age, and wide IP, Node, Nominated Node,
/// Readiness Gates. The Status cell is kubectl's one-word summary of a pod (the same rules
/// Kubernetes' pod printer applies): an init container's state while initializing
/// (`Init:0/2`, `Init:CrashLoopBackOff`, `Init:ExitCode:1`), else the last container's waiting
/// or terminated reason (`ContainerCreating`, `CrashLoopBackOff`, `Completed`, `Error`),
/// `Terminating` once deleted, otherwise the phase.
enum PodTablePrinter {
    static let columns: [TableColumn] = [
        .nameColumn(),
        TableColumn("Ready", "Ready containers out of all containers (including sidecar init containers)."),
        TableColumn("Status", "The pod's aggregate status."),
        TableColumn("Restarts", "Container restarts, and how long ago the last one happened."),
        .age,
        TableColumn("IP", priority: 1, "The pod's first IP address."),
        TableColumn("Node", priority: 1, "The node the pod is bound to."),
        TableColumn("Nominated Node", priority: 1, "The node the scheduler nominated during preemption."),
        TableColumn("Readiness Gates", priority: 1, "Readiness gates whose condition is True, out of all."),
    ]

    static let printer = TablePrinter(columns: columns) { pod, now in cells(pod, now) }

    static func cells(_ pod: JSONValue, _ now: Date) -> [JSONValue] {
        let summary = summarize(pod, now: now)
        let podIPs = pod.tableArray("status", "podIPs")
        var ip = podIPs.first?["ip"]?.stringValue ?? ""
        if ip.isEmpty { ip = pod.tableString("status", "podIP") }
        return [
            .string(pod.tableName), .string(summary.ready), .string(summary.status), .string(summary.restarts), pod.tableAge(now),
            .string(ip.isEmpty ? "<none>" : ip),
            .string(nonEmpty(pod.tableString("spec", "nodeName"))),
            .string(nonEmpty(pod.tableString("status", "nominatedNodeName"))),
            .string(readinessGates(pod)),
        ]
    }

    struct Summary: Equatable {
        var ready: String
        var status: String
        var restarts: String
    }

    static func summarize(_ pod: JSONValue, now: Date) -> Summary {
        let spec = pod["spec"] ?? .emptyObject
        let status = pod["status"] ?? .emptyObject
        let initContainers = spec.tableArray("initContainers")
        var restartable = Set<String>()
        for c in initContainers where c["restartPolicy"]?.stringValue == "Always" {
            restartable.insert(c["name"]?.stringValue ?? "")
        }
        let total = spec.tableArray("containers").count + restartable.count
        var ready = 0
        var restarts: Int64 = 0
        var sidecarRestarts: Int64 = 0
        var lastRestart: Date? = nil
        var lastSidecarRestart: Date? = nil

        let phase = status.tableString("phase")
        var reason = phase
        let statusReason = status.tableString("reason")
        if !statusReason.isEmpty { reason = statusReason }
        for condition in status.tableArray("conditions")
        where condition["type"]?.stringValue == "PodScheduled" && condition["reason"]?.stringValue == "SchedulingGated" {
            reason = "SchedulingGated"
        }

        var initializing = false
        for (i, container) in status.tableArray("initContainerStatuses").enumerated() {
            let name = container["name"]?.stringValue ?? ""
            let isSidecar = restartable.contains(name)
            let count = container["restartCount"]?.intValue ?? 0
            restarts += count
            let finished = TableTimestamp.date(container.value(at: ["lastState", "terminated", "finishedAt"]))
            lastRestart = later(lastRestart, finished)
            if isSidecar {
                sidecarRestarts += count
                lastSidecarRestart = later(lastSidecarRestart, finished)
            }
            let state = container["state"] ?? .emptyObject
            let terminated = state.tableHas("terminated") ? state["terminated"] : nil
            let waiting = state.tableHas("waiting") ? state["waiting"] : nil
            if let terminated, (terminated["exitCode"]?.intValue ?? 0) == 0 {
                continue
            }
            if isSidecar, container["started"]?.boolValue == true {
                if container["ready"]?.boolValue == true { ready += 1 }
                continue
            }
            if let terminated {
                let why = terminated["reason"]?.stringValue ?? ""
                if why.isEmpty {
                    let signal = terminated["signal"]?.intValue ?? 0
                    reason = signal != 0 ? "Init:Signal:\(signal)" : "Init:ExitCode:\(terminated["exitCode"]?.intValue ?? 0)"
                } else {
                    reason = "Init:" + why
                }
            } else if let waiting, let why = waiting["reason"]?.stringValue, !why.isEmpty, why != "PodInitializing" {
                reason = "Init:" + why
            } else {
                reason = "Init:\(i)/\(initContainers.count)"
            }
            initializing = true
            break
        }

        if !initializing || hasCondition(status, "Initialized") {
            restarts = sidecarRestarts
            lastRestart = lastSidecarRestart
            var hasRunning = false
            for container in status.tableArray("containerStatuses").reversed() {
                restarts += container["restartCount"]?.intValue ?? 0
                lastRestart = later(lastRestart, TableTimestamp.date(container.value(at: ["lastState", "terminated", "finishedAt"])))
                let state = container["state"] ?? .emptyObject
                let waitingReason = state.tableHas("waiting") ? state.tableString("waiting", "reason") : ""
                if !waitingReason.isEmpty {
                    reason = waitingReason
                } else if state.tableHas("terminated") {
                    let why = state.tableString("terminated", "reason")
                    if !why.isEmpty {
                        reason = why
                    } else {
                        let signal = state.tableInt("terminated", "signal")
                        reason = signal != 0 ? "Signal:\(signal)" : "ExitCode:\(state.tableInt("terminated", "exitCode"))"
                    }
                } else if container["ready"]?.boolValue == true, state.tableHas("running") {
                    hasRunning = true
                    ready += 1
                }
            }
            if reason == "Completed", hasRunning {
                reason = hasCondition(status, "Ready") ? "Running" : "NotReady"
            }
        }

        if pod.tableHas("metadata", "deletionTimestamp") {
            if statusReason == "NodeLost" {
                reason = "Unknown"
            } else if phase != "Succeeded", phase != "Failed" {
                reason = "Terminating"
            }
        }

        var restartText = String(restarts)
        if restarts != 0, let lastRestart {
            restartText += " (\(HumanDuration.format(seconds: now.timeIntervalSince(lastRestart))) ago)"
        }
        return Summary(ready: "\(ready)/\(total)", status: reason, restarts: restartText)
    }

    static func readinessGates(_ pod: JSONValue) -> String {
        let gates = pod.tableArray("spec", "readinessGates")
        guard !gates.isEmpty else { return "<none>" }
        let conditions = pod.tableArray("status", "conditions")
        var trueCount = 0
        for gate in gates {
            let type = gate["conditionType"]?.stringValue ?? ""
            if let condition = conditions.first(where: { $0["type"]?.stringValue == type }),
               condition["status"]?.stringValue == "True" {
                trueCount += 1
            }
        }
        return "\(trueCount)/\(gates.count)"
    }

    /// Row conditions Kubernetes attaches to finished pods.
    static func rowConditions(_ pod: JSONValue) -> JSONValue? {
        switch pod.tableString("status", "phase") {
        case "Succeeded":
            return [["type": "Completed", "status": "True", "reason": "Succeeded", "message": "The pod has completed successfully."]]
        case "Failed":
            return [["type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."]]
        default:
            return nil
        }
    }

    static func hasCondition(_ status: JSONValue, _ type: String) -> Bool {
        status.tableArray("conditions").contains { $0["type"]?.stringValue == type && $0["status"]?.stringValue == "True" }
    }

    static func later(_ a: Date?, _ b: Date?) -> Date? {
        guard let b else { return a }
        guard let a else { return b }
        return b > a ? b : a
    }

    static func nonEmpty(_ s: String) -> String { s.isEmpty ? "<none>" : s }
}
