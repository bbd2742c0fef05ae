import APIModel
import ClusterClient
import Logging

/// The scheduler's writes to the API: bindings, the PodScheduled=False condition, the
/// nominated node, evictions of preemption victims, and their events. Each runs off the
/// scheduling loop so a slow call never holds up the next pod.
struct SchedulerWrites: Sendable {
    let client: ClusterClient
    let recorder: EventRecorder
    let recordScheduledEvents: Bool
    let logger: Logger

    /// POST pods/{name}/binding; nil on success, else the error text (and whether the pod is gone).
    func bind(_ pod: PodInfo, to node: String) async -> (error: String?, notFound: Bool) {
        let binding: JSONValue = [
            "apiVersion": "v1", "kind": "Binding",
            "metadata": ["name": .string(pod.name), "namespace": .string(pod.namespace), "uid": .string(pod.uid)],
            "target": ["apiVersion": "v1", "kind": "Node", "name": .string(node)],
        ]
        do {
            _ = try await client.create(.pods, namespace: pod.namespace, binding, name: pod.name, subresource: "binding")
            if recordScheduledEvents {
                recorder.record(pod.object, type: .normal, reason: "Scheduled",
                                message: "Successfully assigned \(pod.namespace)/\(pod.name) to \(node)")
            }
            return (nil, false)
        } catch let error as ClientError {
            logger.debug("binding failed", metadata: ["pod": "\(pod.key)", "node": "\(node)", "error": "\(error)"])
            recorder.record(pod.object, type: .warning, reason: "FailedScheduling", message: "Binding rejected: \(error)")
            return ("\(error)", error.isNotFound)
        } catch {
            return ("\(error)", false)
        }
    }

    /// A Warning FailedScheduling event and, when it changed, the PodScheduled=False
    /// condition with the message (and `nominatedNodeName` when preemption picked a node).
    func reportUnschedulable(_ pod: PodInfo, message: String, nominatedNode: String?) async {
        recorder.record(pod.object, type: .warning, reason: "FailedScheduling", message: message)
        let existing = pod.object["status"]?["conditions"]?.arrayValue ?? []
        let current = existing.first { $0["type"]?.stringValue == "PodScheduled" }
        let unchanged = current?["status"]?.stringValue == "False" && current?["reason"]?.stringValue == "Unschedulable"
            && current?["message"]?.stringValue == message
        if unchanged && (nominatedNode == nil || nominatedNode == pod.nominatedNodeName) { return }
        var conditions = existing.filter { $0["type"]?.stringValue != "PodScheduled" }
        conditions.append([
            "type": "PodScheduled", "status": "False", "reason": "Unschedulable", "message": .string(message),
            "lastProbeTime": nil,
            "lastTransitionTime": unchanged ? (current?["lastTransitionTime"] ?? nil) : .string(Self.timestamp()),
        ])
        var status: JSONValue = ["conditions": .array(conditions)]
        if let nominatedNode { status["nominatedNodeName"] = .string(nominatedNode) }
        do {
            _ = try await client.patch(.pods, namespace: pod.namespace, name: pod.name, type: .merge,
                                       ["status": status], subresource: "status")
        } catch {
            logger.debug("could not record the unschedulable condition", metadata: ["pod": "\(pod.key)", "error": "\(error)"])
        }
    }

    /// Evicts the victims of a preemption (a delete, as kube-scheduler does), each with a
    /// Preempted event.
    func evict(_ victims: [PodInfo], for pod: PodInfo, on node: String) async {
        for victim in victims {
            recorder.record(victim.object, type: .normal, reason: "Preempted",
                            message: "Preempted by pod \(pod.uid) on node \(node)")
            do {
                try await client.delete(.pods, namespace: victim.namespace, name: victim.name,
                                        options: DeleteOptions(preconditionUID: victim.uid.isEmpty ? nil : victim.uid))
            } catch let error as ClientError where error.isNotFound {
                continue
            } catch {
                logger.warning("could not delete preemption victim", metadata: ["pod": "\(victim.key)", "error": "\(error)"])
            }
        }
    }

    /// RFC 3339 in UTC, seconds precision, as Kubernetes writes condition times.
    static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var time = tm()
        var seconds = now.tv_sec
        gmtime_r(&seconds, &time)
        func pad(_ value: Int32, _ width: Int = 2) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(time.tm_year + 1900, 4))-\(pad(time.tm_mon + 1))-\(pad(time.tm_mday))T\(pad(time.tm_hour)):\(pad(time.tm_min)):\(pad(time.tm_sec))Z"
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
