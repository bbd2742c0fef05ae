import APIModel
import Foundation

/// A container's state as Kubernetes reports it in `containerStatuses[].state`.
enum ContainerStateSnapshot: Sendable, Equatable {
    case waiting(reason: String, message: String?)
    case running(startedAt: String)
    case terminated(exitCode: Int32, signal: Int32, reason: String, message: String?, startedAt: String?,
                    finishedAt: String?, containerID: String?)

    var json: JSONValue {
        switch self {
        case .waiting(let reason, let message):
            var waiting: JSONValue = ["reason": .string(reason)]
            if let message, !message.isEmpty { waiting["message"] = .string(message) }
            return ["waiting": waiting]
        case .running(let startedAt):
            return ["running": ["startedAt": .string(startedAt)]]
        case .terminated(let exitCode, let signal, let reason, let message, let startedAt, let finishedAt, let containerID):
            var terminated: JSONValue = ["exitCode": .int(Int64(exitCode)), "reason": .string(reason)]
            if signal != 0 { terminated["signal"] = .int(Int64(signal)) }
            if let message, !message.isEmpty { terminated["message"] = .string(message) }
            terminated["startedAt"] = startedAt.map { JSONValue.string($0) } ?? .null
            terminated["finishedAt"] = finishedAt.map { JSONValue.string($0) } ?? .null
            if let containerID { terminated["containerID"] = .string(containerID) }
            return ["terminated": terminated]
        }
    }

    var isRunning: Bool { if case .running = self { return true } else { return false } }
    var isTerminated: Bool { if case .terminated = self { return true } else { return false } }
    var exitCode: Int32? { if case .terminated(let code, _, _, _, _, _, _) = self { return code } else { return nil } }
}

/// One container's status, kept by the pod worker and written as `containerStatuses[]`.
struct ContainerStatusSnapshot: Sendable, Equatable {
    var name: String
    var image: String
    var imageID: String = ""
    /// `skiff://<runtime id>` of the current (or last) instance.
    var containerID: String?
    var state: ContainerStateSnapshot
    var lastState: ContainerStateSnapshot?
    var restartCount: Int = 0
    var ready: Bool = false
    var started: Bool = false

    var json: JSONValue {
        var status: JSONValue = [
            "name": .string(name), "state": state.json, "lastState": lastState?.json ?? .emptyObject,
            "ready": .bool(ready), "restartCount": .int(Int64(restartCount)), "image": .string(image),
            "imageID": .string(imageID),
        ]
        if let containerID { status["containerID"] = .string(containerID) }
        status["started"] = .bool(started)
        return status
    }
}

/// Computes a pod's `status` from its containers' snapshots as Kubernetes does: the phase,
/// the conditions (keeping each lastTransitionTime while its status holds), IPs, start time
/// and QoS class.
struct PodStatusBuilder {
    var pod: PodObject
    var initContainers: [ContainerStatusSnapshot]
    var containers: [ContainerStatusSnapshot]
    var podIPs: [String]
    var hostIPs: [String]
    var startTime: String?
    var qos: QoSClass
    var sandboxReady: Bool
    var now: String
    /// Set when the pod was terminated by the kubelet itself (deadline, eviction).
    var forcedPhase: String? = nil

    static func timestamp(_ date: Date = Date()) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }

    /// An RFC 3339 time with fractional seconds cut to whole seconds (the API's precision).
    static func seconds(_ rfc3339: String?) -> String? {
        guard let rfc3339 else { return nil }
        guard let dot = rfc3339.firstIndex(of: ".") else { return rfc3339 }
        let zone = rfc3339[dot...].firstIndex { $0 == "Z" || $0 == "+" || $0 == "-" } ?? rfc3339.endIndex
        return String(rfc3339[..<dot]) + String(rfc3339[zone...])
    }

    var initializationDone: Bool {
        let specs = pod.initContainers
        for (index, spec) in specs.enumerated() {
            guard index < initContainers.count else { return false }
            let status = initContainers[index]
            if spec.isSidecar {
                if !status.started { return false }
            } else if status.state.exitCode != 0 {
                return false
            }
        }
        return true
    }

    var initializationFailed: Bool {
        zip(pod.initContainers, initContainers).contains { spec, status in
            !spec.isSidecar && (status.state.exitCode ?? 0) != 0
        }
    }

    var phase: String {
        if let forcedPhase { return forcedPhase }
        let restartPolicy = pod.restartPolicy
        if initializationFailed && restartPolicy == "Never" { return "Failed" }
        if !initializationDone { return "Pending" }
        var running = 0, waiting = 0, stopped = 0, succeeded = 0
        for status in containers {
            switch status.state {
            case .running: running += 1
            case .terminated(let code, _, _, _, _, _, _):
                stopped += 1
                if code == 0 { succeeded += 1 }
            case .waiting:
                if let last = status.lastState, last.isTerminated {
                    stopped += 1
                    if last.exitCode == 0 { succeeded += 1 }
                } else {
                    waiting += 1
                }
            }
        }
        if containers.count < pod.containers.count { return "Pending" }
        if waiting > 0 { return "Pending" }
        if running > 0 { return "Running" }
        if stopped > 0 {
            if restartPolicy == "Always" { return "Running" }
            if stopped == succeeded { return "Succeeded" }
            if restartPolicy == "Never" { return "Failed" }
            return "Running"
        }
        return "Pending"
    }

    func build(previous: JSONValue?) -> JSONValue {
        let phase = self.phase
        var status: JSONValue = .emptyObject
        status["phase"] = .string(phase)
        let previousConditions = previous?["conditions"]?.arrayValue ?? []
        func condition(_ type: String, _ value: Bool, reason: String? = nil, message: String? = nil) -> JSONValue {
            let statusString = value ? "True" : "False"
            let old = previousConditions.first { $0["type"]?.stringValue == type }
            let transition = old?["status"]?.stringValue == statusString ? (old?["lastTransitionTime"] ?? .string(now)) : .string(now)
            var result: JSONValue = ["type": .string(type), "status": .string(statusString), "lastProbeTime": nil,
                                     "lastTransitionTime": transition]
            if let reason { result["reason"] = .string(reason) }
            if let message { result["message"] = .string(message) }
            return result
        }
        let unready = zip(pod.containers, containers).filter { !$1.ready }.map { $0.0.name }
            + pod.containers.dropFirst(containers.count).map(\.name)
        let incomplete = zip(pod.initContainers, initContainers).filter { spec, status in
            spec.isSidecar ? !status.started : status.state.exitCode != 0
        }.map { $0.0.name } + pod.initContainers.dropFirst(initContainers.count).map(\.name)
        let completed = phase == "Succeeded" || phase == "Failed"
        var conditions: [JSONValue] = []
        conditions.append(condition("PodReadyToStartContainers", sandboxReady && !completed))
        if incomplete.isEmpty || completed && initializationDone {
            conditions.append(condition("Initialized", true))
        } else {
            conditions.append(condition("Initialized", false, reason: "ContainersNotInitialized",
                                        message: "containers with incomplete status: [\(incomplete.joined(separator: " "))]"))
        }
        if completed {
            conditions.append(condition("Ready", false, reason: "PodCompleted"))
            conditions.append(condition("ContainersReady", false, reason: "PodCompleted"))
        } else if unready.isEmpty {
            conditions.append(condition("Ready", true))
            conditions.append(condition("ContainersReady", true))
        } else {
            let message = "containers with unready status: [\(unready.joined(separator: " "))]"
            conditions.append(condition("Ready", false, reason: "ContainersNotReady", message: message))
            conditions.append(condition("ContainersReady", false, reason: "ContainersNotReady", message: message))
        }
        let scheduled = previousConditions.first { $0["type"]?.stringValue == "PodScheduled" }
            ?? ["type": "PodScheduled", "status": "True", "lastProbeTime": nil, "lastTransitionTime": .string(startTime ?? now)]
        conditions.append(scheduled)
        for (key, value) in previous?.objectValue ?? JSONObject() where key == "nominatedNodeName" || key == "reason" || key == "message" {
            status[key] = value
        }
        status["conditions"] = .array(conditions)
        if let host = hostIPs.first {
            status["hostIP"] = .string(host)
            status["hostIPs"] = .array(hostIPs.map { ["ip": .string($0)] })
        }
        if let podIP = podIPs.first {
            status["podIP"] = .string(podIP)
            status["podIPs"] = .array(podIPs.map { ["ip": .string($0)] })
        }
        if let startTime { status["startTime"] = .string(startTime) }
        if !pod.initContainers.isEmpty { status["initContainerStatuses"] = .array(initContainers.map(\.json)) }
        status["containerStatuses"] = .array(containers.map(\.json))
        status["qosClass"] = .string(qos.rawValue)
        return status
    }

    /// Whether two statuses differ in anything but the order of their conditions: the
    /// kubelet writes status only then.
    static func differs(_ a: JSONValue?, _ b: JSONValue) -> Bool {
        guard let a else { return true }
        func normalized(_ value: JSONValue) -> JSONValue {
            var value = value
            if let conditions = value["conditions"]?.arrayValue {
                value["conditions"] = .array(conditions.sorted { ($0["type"]?.stringValue ?? "") < ($1["type"]?.stringValue ?? "") })
            }
            return value
        }
        return normalized(a) != normalized(b)
    }
}
