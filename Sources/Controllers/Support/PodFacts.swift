import APIModel
import ClusterClient
import Foundation

/// What the workload controllers read from a pod's JSON: phase, readiness, restarts and
/// the node it runs on. Plain functions over the whole object, so nothing is ever written
/// back through a partial model.
enum PodFacts {
    static func phase(_ pod: JSONValue) -> String { pod["status"]?["phase"]?.stringValue ?? "Pending" }

    static func isTerminal(_ pod: JSONValue) -> Bool {
        let phase = phase(pod)
        return phase == "Succeeded" || phase == "Failed"
    }

    /// Counted toward replicas: not finished and not being deleted (Kubernetes' "active").
    static func isActive(_ pod: JSONValue) -> Bool { !isTerminal(pod) && !pod.isBeingDeleted }

    static func nodeName(_ pod: JSONValue) -> String { pod["spec"]?["nodeName"]?.stringValue ?? "" }

    static func readyCondition(_ pod: JSONValue) -> JSONValue? {
        pod["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == "Ready" }
    }

    /// The pod's `Ready` condition is `True`.
    static func isReady(_ pod: JSONValue) -> Bool { readyCondition(pod)?["status"]?.stringValue == "True" }

    /// Running and Ready: what OrderedReady StatefulSets wait for.
    static func isRunningAndReady(_ pod: JSONValue) -> Bool { phase(pod) == "Running" && isReady(pod) }

    /// When the pod last became ready (the Ready condition's lastTransitionTime).
    static func readySince(_ pod: JSONValue) -> Date? {
        guard isReady(pod) else { return nil }
        return Timestamps.parse(readyCondition(pod)?["lastTransitionTime"]?.stringValue)
    }

    /// Ready for at least `minReadySeconds` at `now`.
    static func isAvailable(_ pod: JSONValue, minReadySeconds: Int, now: Date) -> Bool {
        guard isReady(pod) else { return false }
        if minReadySeconds <= 0 { return true }
        guard let since = readySince(pod) else { return false }
        return since.addingTimeInterval(TimeInterval(minReadySeconds)) <= now
    }

    /// Restarts of the container that restarted most (Kubernetes ranks by the largest count).
    static func maxRestarts(_ pod: JSONValue) -> Int64 {
        (pod["status"]?["containerStatuses"]?.arrayValue ?? []).map { $0["restartCount"]?.intValue ?? 0 }.max() ?? 0
    }

    /// Restarts of every container together (Job's backoffLimit with restartPolicy OnFailure).
    static func totalRestarts(_ pod: JSONValue) -> Int64 {
        (pod["status"]?["containerStatuses"]?.arrayValue ?? []).reduce(0) { $0 + ($1["restartCount"]?.intValue ?? 0) }
    }

    static func created(_ object: JSONValue) -> Date { Timestamps.parse(object.creationTimestamp) ?? .distantPast }
}

/// Integer fields of specs and statuses, with the default Kubernetes applies when absent.
extension JSONValue {
    func int(_ keys: String..., default fallback: Int = 0) -> Int {
        value(at: keys)?.intValue.map { Int($0) } ?? fallback
    }

    func string(_ keys: String...) -> String? { value(at: keys)?.stringValue }
}
