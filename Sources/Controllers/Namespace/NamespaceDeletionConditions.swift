import APIModel

/// The `status.conditions` a terminating namespace carries, as Kubernetes names them.
enum NamespaceDeletionConditions {
    struct Outcome: Sendable {
        var discoveryFailure: String?
        var contentFailure: String?
        /// Resources still holding objects: `pods.` → count (group-qualified plural).
        var remaining: [String: Int] = [:]
        /// Finalizers still on remaining objects → how many objects carry them.
        var finalizers: [String: Int] = [:]
    }

    static func conditions(_ outcome: Outcome, existing: [JSONValue], now: String) -> [JSONValue] {
        let discovery = outcome.discoveryFailure.map { ("True", "DiscoveryFailed", "Discovery failed for some groups: \($0)") }
            ?? ("False", "ResourcesDiscovered", "All resources successfully discovered")
        let content = outcome.contentFailure.map { ("True", "ContentDeletionFailed", "Failed to delete all resource types: \($0)") }
            ?? ("False", "ContentDeleted", "All content successfully deleted, may be waiting on finalization")
        let remaining = outcome.remaining.isEmpty
            ? ("False", "ContentRemoved", "All content successfully removed")
            : ("True", "SomeResourcesRemain", "Some resources are remaining: "
                + outcome.remaining.keys.sorted().map { "\($0) has \(outcome.remaining[$0] ?? 0) resource instances" }.joined(separator: ", "))
        let finalizers = outcome.finalizers.isEmpty
            ? ("False", "ContentHasNoFinalizers", "All content-preserving finalizers finished")
            : ("True", "SomeFinalizersRemain", "Some content in the namespace has finalizers remaining: "
                + outcome.finalizers.keys.sorted().map { "\($0) in \(outcome.finalizers[$0] ?? 0) resource instances" }.joined(separator: ", "))
        let wanted = [
            ("NamespaceDeletionDiscoveryFailure", discovery),
            ("NamespaceDeletionGroupVersionParsingFailure", ("False", "ParsedGroupVersions", "All legacy kube types successfully parsed")),
            ("NamespaceDeletionContentFailure", content),
            ("NamespaceContentRemaining", remaining),
            ("NamespaceFinalizersRemaining", finalizers),
        ]
        var result = existing.filter { condition in !wanted.contains { $0.0 == condition["type"]?.stringValue } }
        for (type, (status, reason, message)) in wanted {
            let previous = existing.first { $0["type"]?.stringValue == type }
            let transition: JSONValue = previous?["status"]?.stringValue == status && previous?["reason"]?.stringValue == reason
                ? (previous?["lastTransitionTime"] ?? .string(now)) : .string(now)
            result.append(["type": .string(type), "status": .string(status), "lastTransitionTime": transition,
                           "reason": .string(reason), "message": .string(message)])
        }
        return result
    }
}
