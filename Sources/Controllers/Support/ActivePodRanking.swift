import APIModel
import Foundation

/// The order in which replicas are removed on scale down, as Kubernetes ranks them: the pod
/// that costs least to lose goes first — unassigned before assigned, Pending before Unknown
/// before Running, not ready before ready, ready for a shorter time, more restarts, newer.
enum ActivePodRanking {
    /// Sorted so that the first pods are the ones to delete.
    static func deletionOrder(_ pods: [JSONValue]) -> [JSONValue] {
        pods.sorted(by: deleteBefore)
    }

    static func deleteBefore(_ a: JSONValue, _ b: JSONValue) -> Bool {
        let aAssigned = !PodFacts.nodeName(a).isEmpty, bAssigned = !PodFacts.nodeName(b).isEmpty
        if aAssigned != bAssigned { return !aAssigned }
        let aPhase = phaseRank(a), bPhase = phaseRank(b)
        if aPhase != bPhase { return aPhase < bPhase }
        let aReady = PodFacts.isReady(a), bReady = PodFacts.isReady(b)
        if aReady != bReady { return !aReady }
        if aReady, let aSince = PodFacts.readySince(a), let bSince = PodFacts.readySince(b), aSince != bSince {
            return aSince > bSince  // ready more recently = ready for a shorter time
        }
        let aRestarts = PodFacts.maxRestarts(a), bRestarts = PodFacts.maxRestarts(b)
        if aRestarts != bRestarts { return aRestarts > bRestarts }
        let aCreated = PodFacts.created(a), bCreated = PodFacts.created(b)
        if aCreated != bCreated { return aCreated > bCreated }
        return a.name > b.name
    }

    static func phaseRank(_ pod: JSONValue) -> Int {
        switch PodFacts.phase(pod) {
        case "Pending": return 0
        case "Unknown": return 1
        case "Running": return 2
        default: return 0
        }
    }
}
