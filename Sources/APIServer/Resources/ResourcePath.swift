import APIModel

/// A resource URL taken apart the way Kubernetes' request-info resolver does:
/// `/api/v1/namespaces/<ns>/<plural>[/<name>[/<subresource>[/<rest>…]]]` or the cluster-wide
/// `/api/v1/<plural>[/<name>[/<subresource>…]]`, likewise under `/apis/<group>/<version>`.
struct ResourcePath: Sendable, Equatable {
    var groupVersion: GroupVersion
    var namespace: String?
    var plural: String
    var name: String?
    var subresource: String?
    /// What follows the subresource (`nodes/n1/proxy/<path…>`).
    var remainder: [String] = []
    /// The deprecated `/api/v1/watch/…` prefix was used.
    var legacyWatch = false

    /// `segments` are the decoded path segments after the group-version prefix.
    init?(groupVersion: GroupVersion, segments: [String]) {
        self.groupVersion = groupVersion
        var parts = segments[...]
        if parts.first == "watch" {
            legacyWatch = true
            parts = parts.dropFirst()
        }
        guard let first = parts.first, !first.isEmpty else { return nil }
        // `namespaces/<ns>/<plural>…`, except `namespaces/<ns>/status|finalize`, which are
        // subresources of the namespace object itself.
        if first == "namespaces", parts.count >= 3,
           !["status", "finalize"].contains(parts[parts.startIndex + 2]) || parts.count > 3 {
            namespace = parts[parts.startIndex + 1]
            parts = parts.dropFirst(2)
        }
        guard let plural = parts.first, !plural.isEmpty else { return nil }
        self.plural = plural
        parts = parts.dropFirst()
        if let name = parts.first {
            guard !name.isEmpty else { return nil }
            self.name = name
            parts = parts.dropFirst()
        }
        if let subresource = parts.first {
            self.subresource = subresource
            remainder = Array(parts.dropFirst())
        }
    }

    /// The served resource this path addresses, checking scope: a namespaced resource needs a
    /// namespace to address one object; a cluster-scoped one must not carry one.
    func resolve(in registry: [String: ResourceInfo]) -> ResourceInfo? {
        guard let resource = registry["\(groupVersion.group)/\(groupVersion.version)/\(plural)"] else { return nil }
        if resource.namespaced {
            if namespace == nil && name != nil { return nil }
        } else if namespace != nil {
            return nil
        }
        return resource
    }
}
