import APIModel

/// An `IntOrString` field of a PodDisruptionBudget: a count or a percentage ("50%").
enum BudgetAmount: Sendable, Equatable {
    case count(Int)
    case percent(Int)

    init?(_ json: JSONValue?) {
        guard let json, !json.isNull else { return nil }
        if let value = json.intValue {
            self = .count(Int(value))
        } else if let text = json.stringValue {
            if text.hasSuffix("%"), let value = Int(text.dropLast()) {
                self = .percent(value)
            } else if let value = Int(text) {
                self = .count(value)
            } else {
                return nil
            }
        } else {
            return nil
        }
    }

    /// The absolute value against `total`; percentages round up (as Kubernetes does for both
    /// minAvailable and maxUnavailable).
    func scaled(total: Int) -> Int {
        switch self {
        case .count(let value): return value
        case .percent(let value): return (value * total + 99) / 100
        }
    }

    var isPercent: Bool { if case .percent = self { return true } else { return false } }
}

/// The arithmetic of a PodDisruptionBudget's status.
enum DisruptionBudgetMath {
    /// Whether the budget needs the pods' controllers' scale to know `expectedPods`: yes for
    /// maxUnavailable and for a percentage minAvailable; an integer minAvailable counts pods.
    static func needsControllerScale(minAvailable: BudgetAmount?, maxUnavailable: BudgetAmount?) -> Bool {
        if maxUnavailable != nil { return true }
        return minAvailable?.isPercent ?? false
    }

    /// `desiredHealthy` given the expected pod count.
    static func desiredHealthy(minAvailable: BudgetAmount?, maxUnavailable: BudgetAmount?, expectedPods: Int) -> Int {
        if let maxUnavailable {
            return max(0, expectedPods - maxUnavailable.scaled(total: expectedPods))
        }
        if let minAvailable { return minAvailable.scaled(total: expectedPods) }
        return 0
    }

    /// `disruptionsAllowed`: how many healthy pods may go now.
    static func disruptionsAllowed(currentHealthy: Int, desiredHealthy: Int, expectedPods: Int) -> Int {
        guard expectedPods > 0 else { return 0 }
        return max(0, currentHealthy - desiredHealthy)
    }
}
