import APIModel

/// A pod (anti-)affinity term: pods matching `selector` in `namespaces` (or in namespaces
/// whose labels match `namespaceSelector`), counted per value of `topologyKey` on their nodes.
struct PodAffinityTerm: Sendable, Equatable {
    var selector: LabelSelector
    /// Explicit namespaces; empty with no namespace selector means the pod's own namespace.
    var namespaces: Set<String>
    /// nil: only `namespaces`. `.everything` (`{}`): every namespace.
    var namespaceSelector: LabelSelector?
    var topologyKey: String
    var weight: Int64

    init(selector: LabelSelector, namespaces: Set<String>, namespaceSelector: LabelSelector? = nil, topologyKey: String, weight: Int64 = 1) {
        self.selector = selector
        self.namespaces = namespaces
        self.namespaceSelector = namespaceSelector
        self.topologyKey = topologyKey
        self.weight = weight
    }

    /// `ownNamespace` is the namespace of the pod that carries the term.
    init(json: JSONValue, ownNamespace: String, weight: Int64 = 1) throws(SchedulingInputError) {
        guard let key = json["topologyKey"]?.stringValue, !key.isEmpty else {
            throw SchedulingInputError("pod affinity term: topologyKey is required")
        }
        do {
            // A missing labelSelector matches no pod.
            selector = try json["labelSelector"].map { try LabelSelector(json: $0) } ?? .nothing
            namespaceSelector = try json["namespaceSelector"].flatMap { $0.isNull ? nil : try LabelSelector(json: $0) }
        } catch {
            throw SchedulingInputError("pod affinity term: \(error)")
        }
        namespaces = Set(json["namespaces"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        if namespaces.isEmpty && namespaceSelector == nil { namespaces = [ownNamespace] }
        topologyKey = key
        self.weight = weight
    }

    /// Whether `pod` is one of the pods this term selects; `namespaceLabels` gives the labels
    /// of a namespace for namespace selectors.
    func matches(_ pod: PodInfo, namespaceLabels: (String) -> [String: String]) -> Bool {
        guard namespaces.contains(pod.namespace) || namespaceSelectorMatches(pod.namespace, namespaceLabels) else { return false }
        return selector.matches(pod.labels)
    }

    private func namespaceSelectorMatches(_ namespace: String, _ namespaceLabels: (String) -> [String: String]) -> Bool {
        guard let namespaceSelector else { return false }
        if namespaceSelector.isEverything { return true }
        return namespaceSelector.matches(namespaceLabels(namespace))
    }
}

/// The pod's affinity stanza, parsed once.
struct PodAffinitySpec: Sendable, Equatable {
    var requiredAffinity: [PodAffinityTerm] = []
    var requiredAntiAffinity: [PodAffinityTerm] = []
    var preferredAffinity: [PodAffinityTerm] = []
    var preferredAntiAffinity: [PodAffinityTerm] = []

    var isEmpty: Bool { requiredAffinity.isEmpty && requiredAntiAffinity.isEmpty && preferredAffinity.isEmpty && preferredAntiAffinity.isEmpty }

    init() {}

    init(affinity: JSONValue?, namespace: String) throws(SchedulingInputError) {
        guard let affinity else { return }
        func required(_ json: JSONValue?) throws(SchedulingInputError) -> [PodAffinityTerm] {
            var terms: [PodAffinityTerm] = []
            for term in json?["requiredDuringSchedulingIgnoredDuringExecution"]?.arrayValue ?? [] {
                terms.append(try PodAffinityTerm(json: term, ownNamespace: namespace))
            }
            return terms
        }
        func preferred(_ json: JSONValue?) throws(SchedulingInputError) -> [PodAffinityTerm] {
            var terms: [PodAffinityTerm] = []
            for entry in json?["preferredDuringSchedulingIgnoredDuringExecution"]?.arrayValue ?? [] {
                guard let term = entry["podAffinityTerm"] else { throw SchedulingInputError("preferred pod affinity: podAffinityTerm is required") }
                terms.append(try PodAffinityTerm(json: term, ownNamespace: namespace, weight: entry["weight"]?.intValue ?? 0))
            }
            return terms
        }
        requiredAffinity = try required(affinity["podAffinity"])
        preferredAffinity = try preferred(affinity["podAffinity"])
        requiredAntiAffinity = try required(affinity["podAntiAffinity"])
        preferredAntiAffinity = try preferred(affinity["podAntiAffinity"])
    }
}
