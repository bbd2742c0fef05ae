import APIModel
import Foundation

/// `status.conditions` of workload objects: set one by type, keeping lastTransitionTime
/// when the status did not change (what `kubectl describe` and `rollout status` rely on).
enum Conditions {
    static func find(_ object: JSONValue, _ type: String) -> JSONValue? {
        object["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }
    }

    static func isTrue(_ object: JSONValue, _ type: String) -> Bool {
        find(object, type)?["status"]?.stringValue == "True"
    }

    /// Sets the condition in `status` (a status object). A condition of the same status and
    /// reason is left as it is (so its times keep saying when it started), unless
    /// `refresh` asks for a new message and `lastUpdateTime` (Deployment progress).
    /// lastTransitionTime moves only when the status changes. `withUpdateTime` adds
    /// `lastUpdateTime` (Deployments carry it; other kinds do not).
    static func set(_ status: inout JSONValue, type: String, status conditionStatus: String, reason: String,
                    message: String, now: Date, withUpdateTime: Bool = false, refresh: Bool = false) {
        var conditions = status["conditions"]?.arrayValue ?? []
        let stamp = JSONValue.string(Timestamps.format(now))
        let index = conditions.firstIndex { $0["type"]?.stringValue == type }
        if let index, !refresh, conditions[index]["status"]?.stringValue == conditionStatus,
           conditions[index]["reason"]?.stringValue == reason {
            return
        }
        var condition: JSONValue = ["type": .string(type), "status": .string(conditionStatus)]
        if withUpdateTime { condition["lastUpdateTime"] = stamp }
        if let index, conditions[index]["status"]?.stringValue == conditionStatus,
           let previous = conditions[index]["lastTransitionTime"] {
            condition["lastTransitionTime"] = previous
        } else {
            condition["lastTransitionTime"] = stamp
        }
        condition["reason"] = .string(reason)
        condition["message"] = .string(message)
        if let index { conditions[index] = condition } else { conditions.append(condition) }
        status["conditions"] = .array(conditions)
    }

    static func remove(_ status: inout JSONValue, type: String) {
        guard let conditions = status["conditions"]?.arrayValue else { return }
        let kept = conditions.filter { $0["type"]?.stringValue != type }
        status["conditions"] = kept.isEmpty ? nil : .array(kept)
    }
}
