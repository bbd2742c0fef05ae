/// Why a pod fits on no node, in the words `kubectl describe pod` shows:
/// "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {a: b}."
/// followed by what preemption found.
struct FitFailure: Error, Sendable {
    var numAllNodes: Int
    /// Node name → why it was rejected.
    var rejections: [String: Rejection]
    /// Preemption's own summary, when it ran and found nothing.
    var preemptionMessage: String?
    /// A problem with the pod itself rather than with the nodes.
    var inputError: String?

    var message: String {
        if let inputError { return inputError }
        var text = "0/\(numAllNodes) nodes are available"
        let reasons = Self.histogram(rejections.values.flatMap(\.reasons))
        text += reasons.isEmpty ? "." : ": " + reasons.joined(separator: ", ") + "."
        if let preemptionMessage { text += " " + preemptionMessage }
        return text
    }

    /// "count reason" strings, sorted as Kubernetes sorts them (as strings).
    static func histogram(_ reasons: [String]) -> [String] {
        var counts: [String: Int] = [:]
        for reason in reasons { counts[reason, default: 0] += 1 }
        return counts.map { "\($0.value) \($0.key)" }.sorted()
    }
}
