import APIModel

enum TaintEffect: String, Sendable {
    case noSchedule = "NoSchedule"
    case preferNoSchedule = "PreferNoSchedule"
    case noExecute = "NoExecute"
}

/// A node taint (`spec.taints[]`).
struct Taint: Sendable, Equatable {
    var key: String
    var value: String
    var effect: TaintEffect

    init(key: String, value: String = "", effect: TaintEffect) {
        self.key = key
        self.value = value
        self.effect = effect
    }

    init(json: JSONValue) throws(SchedulingInputError) {
        let key = json["key"]?.stringValue ?? ""
        guard let effectName = json["effect"]?.stringValue, let effect = TaintEffect(rawValue: effectName) else {
            throw SchedulingInputError("taint \(key): effect must be NoSchedule, PreferNoSchedule or NoExecute")
        }
        self.init(key: key, value: json["value"]?.stringValue ?? "", effect: effect)
    }

    /// The taint the scheduler treats a cordoned node as carrying.
    static let unschedulable = Taint(key: "node.kubernetes.io/unschedulable", effect: .noSchedule)
}

/// A pod toleration (`spec.tolerations[]`).
struct Toleration: Sendable, Equatable {
    var key: String
    /// `Exists` ignores the value; `Equal` (the default) compares it.
    var exists: Bool
    var value: String
    /// nil tolerates every effect.
    var effect: TaintEffect?

    init(key: String, exists: Bool = false, value: String = "", effect: TaintEffect? = nil) {
        self.key = key
        self.exists = exists
        self.value = value
        self.effect = effect
    }

    init(json: JSONValue) throws(SchedulingInputError) {
        let key = json["key"]?.stringValue ?? ""
        let op = json["operator"]?.stringValue ?? "Equal"
        guard op == "Equal" || op == "Exists" else {
            throw SchedulingInputError("toleration \(key): operator must be Equal or Exists, not \(op)")
        }
        var effect: TaintEffect?
        if let name = json["effect"]?.stringValue, !name.isEmpty {
            guard let parsed = TaintEffect(rawValue: name) else {
                throw SchedulingInputError("toleration \(key): effect \(name) is not NoSchedule, PreferNoSchedule or NoExecute")
            }
            effect = parsed
        }
        self.init(key: key, exists: op == "Exists", value: json["value"]?.stringValue ?? "", effect: effect)
    }

    /// An empty key with `Exists` tolerates every taint (of the effect, if one is named).
    func tolerates(_ taint: Taint) -> Bool {
        if let effect, effect != taint.effect { return false }
        if exists { return key.isEmpty || key == taint.key }
        return key == taint.key && value == taint.value
    }
}

extension Array where Element == Toleration {
    func tolerate(_ taint: Taint) -> Bool { contains { $0.tolerates(taint) } }
}
