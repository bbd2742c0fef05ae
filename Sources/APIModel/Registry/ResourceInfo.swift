/// Group, version and kind: the identity of a type in the API.
public struct GroupVersionKind: Sendable, Hashable, CustomStringConvertible {
    /// Empty for the core ("legacy") group.
    public var group: String
    public var version: String
    public var kind: String

    public init(group: String, version: String, kind: String) {
        self.group = group
        self.version = version
        self.kind = kind
    }

    /// The `apiVersion` field value: `v1` for core, `apps/v1` otherwise.
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    public var groupVersion: GroupVersion { GroupVersion(group: group, version: version) }

    public var description: String { "\(apiVersion), Kind=\(kind)" }

    /// As discovery and OpenAPI spell it: `{"group":"apps","version":"v1","kind":"Deployment"}`.
    public var json: JSONValue { ["group": .string(group), "version": .string(version), "kind": .string(kind)] }
}

public struct GroupVersion: Sendable, Hashable, CustomStringConvertible, Comparable {
    public var group: String
    public var version: String

    public init(group: String, version: String) {
        self.group = group
        self.version = version
    }

    /// Parses an `apiVersion` value (`v1`, `apps/v1`).
    public init(apiVersion: String) {
        if let slash = apiVersion.firstIndex(of: "/") {
            group = String(apiVersion[..<slash])
            version = String(apiVersion[apiVersion.index(after: slash)...])
        } else {
            group = ""
            version = apiVersion
        }
    }

    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }

    /// The URL path prefix: `/api/v1` or `/apis/apps/v1`.
    public var pathPrefix: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

    /// The key in the `/openapi/v3` root document: `api/v1` or `apis/apps/v1`.
    public var openAPIPath: String { String(pathPrefix.dropFirst()) }

    /// Go's java-style package name part used in OpenAPI component names.
    public var description: String { apiVersion }

    public static func < (lhs: GroupVersion, rhs: GroupVersion) -> Bool {
        (lhs.group, lhs.version) < (rhs.group, rhs.version)
    }
}

/// A subresource of a resource (`pods/status`, `deployments/scale`).
public struct SubresourceInfo: Sendable {
    public var name: String
    /// The kind the subresource accepts and returns (Scale, Eviction, Binding, or the parent kind).
    public var kind: GroupVersionKind
    public var verbs: [String]
}

/// Everything the apiserver needs to serve one resource: names for URLs and discovery, scope,
/// verbs, subresources, the storage location and the schema.
public struct ResourceInfo: Sendable {
    public var gvk: GroupVersionKind
    /// The URL segment: `pods`, `deployments`.
    public var plural: String
    public var singular: String
    public var namespaced: Bool
    public var shortNames: [String]
    public var categories: [String]
    public var verbs: [String]
    public var subresources: [SubresourceInfo]
    public var schema: Schema

    public var group: String { gvk.group }
    public var version: String { gvk.version }
    public var kind: String { gvk.kind }
    public var listKind: String { gvk.kind + "List" }
    public var groupVersion: GroupVersion { gvk.groupVersion }

    /// `pods` or `deployments.apps`, as error messages name a resource.
    public var qualifiedPlural: String { group.isEmpty ? plural : "\(plural).\(group)" }

    /// `Deployment.apps` or `Pod`, as `Invalid` status messages name a kind.
    public var qualifiedKind: String { group.isEmpty ? kind : "\(kind).\(group)" }

    /// Storage prefix. skiff uses `/registry/<group>/<resource>/` for every group, spelling the
    /// core group `core`, so a prefix never collides across groups (Kubernetes' own legacy
    /// layout puts core and some other groups straight under `/registry/<resource>`).
    /// core/v1 Event and events.k8s.io/v1 Event are stored separately (no conversion between them).
    public var storagePrefix: String { "/registry/\(group.isEmpty ? "core" : group)/\(plural)/" }

    /// The key of one object: `/registry/core/pods/default/web-1`, `/registry/core/nodes/n1`.
    public func storageKey(namespace: String?, name: String) -> String {
        if namespaced, let namespace { return storagePrefix + namespace + "/" + name }
        return storagePrefix + name
    }

    /// The prefix listing all objects of one namespace (or all, for cluster-scoped kinds).
    public func storagePrefix(namespace: String?) -> String {
        if namespaced, let namespace { return storagePrefix + namespace + "/" }
        return storagePrefix
    }

    /// The URL path of the collection: `/api/v1/namespaces/ns/pods`.
    public func collectionPath(namespace: String?) -> String {
        if namespaced, let namespace { return "\(groupVersion.pathPrefix)/namespaces/\(namespace)/\(plural)" }
        return "\(groupVersion.pathPrefix)/\(plural)"
    }

    public func subresource(_ name: String) -> SubresourceInfo? { subresources.first { $0.name == name } }
}
