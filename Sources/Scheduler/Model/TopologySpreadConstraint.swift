import APIModel

/// One `topologySpreadConstraints[]` entry of a pod, with its defaults applied
/// (minDomains 1, nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore) and `matchLabelKeys`
/// folded into the selector.
struct TopologySpreadConstraint: Sendable, Equatable {
    var maxSkew: Int64
    var topologyKey: String
    /// DoNotSchedule is a filter; ScheduleAnyway only a score.
    var hard: Bool
    var selector: LabelSelector
    var minDomains: Int64
    /// Honor: only nodes matching the pod's nodeSelector and required node affinity count.
    var honorNodeAffinity: Bool
    /// Honor: nodes with taints the pod does not tolerate do not count.
    var honorNodeTaints: Bool

    init(maxSkew: Int64, topologyKey: String, hard: Bool, selector: LabelSelector, minDomains: Int64 = 1,
         honorNodeAffinity: Bool = true, honorNodeTaints: Bool = false) {
        self.maxSkew = maxSkew
        self.topologyKey = topologyKey
        self.hard = hard
        self.selector = selector
        self.minDomains = minDomains
        self.honorNodeAffinity = honorNodeAffinity
        self.honorNodeTaints = honorNodeTaints
    }

    init(json: JSONValue, podLabels: [String: String]) throws(SchedulingInputError) {
        guard let key = json["topologyKey"]?.stringValue, !key.isEmpty else {
            throw SchedulingInputError("topologySpreadConstraints: topologyKey is required")
        }
        let maxSkew = json["maxSkew"]?.intValue ?? 0
        guard maxSkew > 0 else { throw SchedulingInputError("topologySpreadConstraints[\(key)]: maxSkew must be greater than zero") }
        var selector: LabelSelector
        do {
            selector = try json["labelSelector"].map { try LabelSelector(json: $0) } ?? .nothing
        } catch {
            throw SchedulingInputError("topologySpreadConstraints[\(key)].labelSelector: \(error)")
        }
        for labelKey in json["matchLabelKeys"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
            if let value = podLabels[labelKey], !selector.matchesNothing {
                selector.requirements.append(.init(key: labelKey, op: .in, values: [value]))
            }
        }
        let when = json["whenUnsatisfiable"]?.stringValue ?? "DoNotSchedule"
        guard when == "DoNotSchedule" || when == "ScheduleAnyway" else {
            throw SchedulingInputError("topologySpreadConstraints[\(key)].whenUnsatisfiable: \(when) is not DoNotSchedule or ScheduleAnyway")
        }
        self.init(maxSkew: maxSkew, topologyKey: key, hard: when == "DoNotSchedule", selector: selector,
                  minDomains: json["minDomains"]?.intValue ?? 1,
                  honorNodeAffinity: (json["nodeAffinityPolicy"]?.stringValue ?? "Honor") == "Honor",
                  honorNodeTaints: (json["nodeTaintsPolicy"]?.stringValue ?? "Ignore") == "Honor")
    }
}
