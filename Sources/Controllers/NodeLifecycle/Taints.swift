import APIModel

/// A node taint (`spec.taints[]`).
struct Taint: Sendable, Hashable {
    var key: String
    var value: String
    var effect: String
    var timeAdded: String?

    init(key: String, value: String = "", effect: String, timeAdded: String? = nil) {
        self.key = key
        self.value = value
        self.effect = effect
        self.timeAdded = timeAdded
    }

    init(_ json: JSONValue) {
        key = json["key"]?.stringValue ?? ""
        value = json["value"]?.stringValue ?? ""
        effect = json["effect"]?.stringValue ?? ""
        timeAdded = json["timeAdded"]?.stringValue
    }

    var json: JSONValue {
        var taint: JSONValue = ["key": .string(key), "effect": .string(effect)]
        if !value.isEmpty { taint["value"] = .string(value) }
        if let timeAdded { taint["timeAdded"] = .string(timeAdded) }
        return taint
    }

    /// Same key and effect: the identity of a taint on a node.
    func sameSlot(_ other: Taint) -> Bool { key == other.key && effect == other.effect }

    static let notReadyKey = "node.kubernetes.io/not-ready"
    static let unreachableKey = "node.kubernetes.io/unreachable"
    static let noExecute = "NoExecute"
    static let noSchedule = "NoSchedule"
}

/// A pod toleration (`spec.tolerations[]`).
struct Toleration: Sendable, Hashable {
    var key: String
    var `operator`: String
    var value: String
    var effect: String
    var tolerationSeconds: Int64?

    init(key: String, operator: String = "Equal", value: String = "", effect: String = "", tolerationSeconds: Int64? = nil) {
        self.key = key
        self.operator = `operator`
        self.value = value
        self.effect = effect
        self.tolerationSeconds = tolerationSeconds
    }

    init(_ json: JSONValue) {
        key = json["key"]?.stringValue ?? ""
        `operator` = json["operator"]?.stringValue ?? "Equal"
        value = json["value"]?.stringValue ?? ""
        effect = json["effect"]?.stringValue ?? ""
        tolerationSeconds = json["tolerationSeconds"]?.intValue
    }

    /// Kubernetes' rule: an empty effect matches every effect; `Exists` with an empty key
    /// matches every taint; otherwise keys must be equal, and for `Equal` the values too.
    func tolerates(_ taint: Taint) -> Bool {
        if !effect.isEmpty && effect != taint.effect { return false }
        if `operator` == "Exists" { return key.isEmpty || key == taint.key }
        return key == taint.key && value == taint.value
    }
}

/// When a pod on a node with NoExecute taints must go (the taint manager's decision).
enum NoExecuteEviction: Sendable, Equatable {
    /// Some taint is not tolerated: evict at once.
    case now
    /// Every taint is tolerated, the shortest bound toleration lasts this many seconds from
    /// when the taint was added.
    case after(seconds: Int64)
    /// Every taint is tolerated forever.
    case never

    static func decide(taints: [Taint], tolerations: [Toleration]) -> NoExecuteEviction {
        let noExecute = taints.filter { $0.effect == Taint.noExecute }
        if noExecute.isEmpty { return .never }
        var shortest: Int64?
        for taint in noExecute {
            let matching = tolerations.filter { $0.tolerates(taint) }
            if matching.isEmpty { return .now }
            for toleration in matching {
                guard let seconds = toleration.tolerationSeconds else { continue }
                shortest = min(shortest ?? seconds, max(0, seconds))
            }
        }
        return shortest.map { .after(seconds: $0) } ?? .never
    }
}

extension JSONValue {
    var nodeTaints: [Taint] { self["spec"]?["taints"]?.arrayValue?.map(Taint.init) ?? [] }
    var podTolerations: [Toleration] { self["spec"]?["tolerations"]?.arrayValue?.map(Toleration.init) ?? [] }
}
