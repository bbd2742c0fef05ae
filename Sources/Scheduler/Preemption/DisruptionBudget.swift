import APIModel

/// What preemption needs of a PodDisruptionBudget: which pods it covers and how many of
/// them may still be disrupted (`status.disruptionsAllowed`, minus pods already being
/// disrupted).
struct DisruptionBudget: Sendable {
    var namespace: String
    var selector: LabelSelector
    var disruptionsAllowed: Int64
    var disruptedPods: Set<String>

    init(namespace: String, selector: LabelSelector, disruptionsAllowed: Int64, disruptedPods: Set<String> = []) {
        self.namespace = namespace
        self.selector = selector
        self.disruptionsAllowed = disruptionsAllowed
        self.disruptedPods = disruptedPods
    }

    /// nil for a budget without a valid selector (it covers no pod).
    init?(json: JSONValue) {
        guard let selectorJSON = json["spec"]?["selector"], let selector = try? LabelSelector(json: selectorJSON) else { return nil }
        let disrupted = json["status"]?["disruptedPods"]?.objectValue.map { Set($0.keys) } ?? []
        self.init(namespace: json["metadata"]?["namespace"]?.stringValue ?? "default", selector: selector,
                  disruptionsAllowed: json["status"]?["disruptionsAllowed"]?.intValue ?? 0, disruptedPods: disrupted)
    }

    /// In policy/v1 an empty selector (`{}`) covers every pod of the namespace.
    func covers(_ pod: PodInfo) -> Bool {
        pod.namespace == namespace && selector.matches(pod.labels)
    }
}
