import APIModel
import Foundation

/// The node lifecycle controller's reading of one node: is the kubelet still alive, and
/// which taints follow from its Ready condition.
enum NodeHealth {
    /// The conditions a silent kubelet leaves behind as `Unknown`.
    static let monitoredConditions = ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"]
    static let unknownReason = "NodeStatusUnknown"
    static let unknownMessage = "Kubelet stopped posting node status."
    static let neverPostedMessage = "Kubelet never posted node status."

    /// The last sign of life: the later of the node Lease's renewTime and the Ready
    /// condition's lastHeartbeatTime; the node's creation when it has neither.
    static func lastHeartbeat(node: JSONValue, lease: JSONValue?) -> Date? {
        let leaseRenew = ControllerTime.parse(lease?["spec"]?["renewTime"]?.stringValue)
        let ready = node["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Ready" }
        let heartbeat = ControllerTime.parse(ready?["lastHeartbeatTime"]?.stringValue)
        let candidates = [leaseRenew, heartbeat].compactMap { $0 }
        if let latest = candidates.max() { return latest }
        return ControllerTime.parse(node.creationTimestamp)
    }

    /// Whether the kubelet has been silent for longer than `gracePeriod`.
    static func isStale(node: JSONValue, lease: JSONValue?, now: Date, gracePeriod: Duration) -> Bool {
        guard let last = lastHeartbeat(node: node, lease: lease) else { return false }
        return now.timeIntervalSince(last) > gracePeriod.seconds
    }

    /// `node` with every monitored condition `Unknown` (those already Unknown untouched; a
    /// missing one added), or nil when there is nothing to change.
    static func markedUnknown(_ node: JSONValue, now: String) -> JSONValue? {
        var conditions = node["status"]?["conditions"]?.arrayValue ?? []
        var changed = false
        for type in monitoredConditions {
            if let index = conditions.firstIndex(where: { $0["type"]?.stringValue == type }) {
                if conditions[index]["status"]?.stringValue == "Unknown" { continue }
                conditions[index]["status"] = "Unknown"
                conditions[index]["reason"] = .string(unknownReason)
                conditions[index]["message"] = .string(unknownMessage)
                conditions[index]["lastTransitionTime"] = .string(now)
                changed = true
            } else {
                conditions.append(["type": .string(type), "status": "Unknown", "reason": .string(unknownReason),
                                   "message": .string(neverPostedMessage), "lastHeartbeatTime": .string(now),
                                   "lastTransitionTime": .string(now)])
                changed = true
            }
        }
        guard changed else { return nil }
        var updated = node
        updated.modify("status") { status in
            var s = status ?? .emptyObject
            s["conditions"] = .array(conditions)
            status = s
        }
        return updated
    }

    /// The lifecycle taints a node should carry given its Ready condition: unreachable when
    /// Unknown, not-ready when False, none when True (or when it never reported).
    static func desiredTaints(readyStatus: String?) -> [Taint] {
        switch readyStatus {
        case "Unknown":
            return [Taint(key: Taint.unreachableKey, effect: Taint.noExecute), Taint(key: Taint.unreachableKey, effect: Taint.noSchedule)]
        case "False":
            return [Taint(key: Taint.notReadyKey, effect: Taint.noExecute), Taint(key: Taint.notReadyKey, effect: Taint.noSchedule)]
        default:
            return []
        }
    }

    /// The node's taints with the lifecycle taints replaced by `desired` (others kept as
    /// they are; a desired taint already present keeps its timeAdded). nil when unchanged.
    static func reconciledTaints(current: [Taint], desired: [Taint], now: String) -> [Taint]? {
        let managedKeys: Set<String> = [Taint.notReadyKey, Taint.unreachableKey]
        let managedEffects: Set<String> = [Taint.noExecute, Taint.noSchedule]
        let isManaged = { (taint: Taint) in managedKeys.contains(taint.key) && managedEffects.contains(taint.effect) }
        var result = current.filter { taint in !isManaged(taint) || desired.contains { $0.sameSlot(taint) } }
        for taint in desired where !result.contains(where: { $0.sameSlot(taint) }) {
            var added = taint
            if added.effect == Taint.noExecute { added.timeAdded = now }
            result.append(added)
        }
        return result == current ? nil : result
    }
}

extension Duration {
    /// The duration in seconds, as a `TimeInterval`.
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
