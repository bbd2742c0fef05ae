/// Discovery documents built from the registry, in both shapes kubectl reads: the legacy
/// `APIVersions`/`APIGroupList`/`APIResourceList` and the aggregated
/// `apidiscovery.k8s.io/v2` `APIGroupDiscoveryList` (see the kubectl notes, §1).
public enum Discovery {
    /// `GET /api`.
    public static func apiVersions(serverAddress: String) -> JSONValue {
        ["kind": "APIVersions", "versions": ["v1"],
         "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]]]
    }

    /// `GET /apis`: every named group with its versions (preferred first).
    public static func apiGroupList(resources: [ResourceInfo] = ResourceRegistry.all) -> JSONValue {
        var groups: [JSONValue] = []
        for gv in groupVersions(resources) where !gv.group.isEmpty {
            let version: JSONValue = ["groupVersion": .string(gv.apiVersion), "version": .string(gv.version)]
            groups.append(["name": .string(gv.group), "versions": [version], "preferredVersion": version])
        }
        return ["kind": "APIGroupList", "apiVersion": "v1", "groups": .array(groups)]
    }

    /// `GET /api/v1` or `/apis/<group>/<version>`: resources and subresources as flat entries.
    public static func apiResourceList(_ groupVersion: GroupVersion, resources: [ResourceInfo] = ResourceRegistry.all) -> JSONValue {
        var entries: [JSONValue] = []
        for r in resources where r.groupVersion == groupVersion {
            var entry: JSONValue = ["name": .string(r.plural), "singularName": .string(r.singular), "namespaced": .bool(r.namespaced),
                                    "kind": .string(r.kind), "verbs": .array(r.verbs.map { .string($0) })]
            if !r.shortNames.isEmpty { entry["shortNames"] = .array(r.shortNames.map { .string($0) }) }
            if !r.categories.isEmpty { entry["categories"] = .array(r.categories.map { .string($0) }) }
            entries.append(entry)
            for sub in r.subresources {
                var subEntry: JSONValue = ["name": .string("\(r.plural)/\(sub.name)"), "singularName": "", "namespaced": .bool(r.namespaced)]
                if sub.kind.groupVersion != r.groupVersion {
                    subEntry["group"] = .string(sub.kind.group)
                    subEntry["version"] = .string(sub.kind.version)
                }
                subEntry["kind"] = .string(sub.kind.kind)
                subEntry["verbs"] = .array(sub.verbs.map { .string($0) })
                entries.append(subEntry)
            }
        }
        return ["kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(groupVersion.apiVersion),
                "resources": .array(entries)]
    }

    /// Aggregated discovery for `/api` (`core: true`, one item with an empty name) or `/apis`.
    public static func aggregated(core: Bool, resources: [ResourceInfo] = ResourceRegistry.all) -> JSONValue {
        var items: [JSONValue] = []
        var groupNames: [String] = []
        for gv in groupVersions(resources) where gv.group.isEmpty == core && !groupNames.contains(gv.group) {
            groupNames.append(gv.group)
        }
        for group in groupNames {
            var versions: [JSONValue] = []
            for gv in groupVersions(resources) where gv.group == group {
                let entries: [JSONValue] = resources.filter { $0.groupVersion == gv }.map { r in
                    var entry: JSONValue = [
                        "resource": .string(r.plural), "responseKind": r.gvk.json,
                        "scope": .string(r.namespaced ? "Namespaced" : "Cluster"), "singularResource": .string(r.singular),
                        "verbs": .array(r.verbs.map { .string($0) }),
                    ]
                    if !r.shortNames.isEmpty { entry["shortNames"] = .array(r.shortNames.map { .string($0) }) }
                    if !r.categories.isEmpty { entry["categories"] = .array(r.categories.map { .string($0) }) }
                    if !r.subresources.isEmpty {
                        entry["subresources"] = .array(r.subresources.map { sub in
                            ["subresource": .string(sub.name), "responseKind": sub.kind.json, "verbs": .array(sub.verbs.map { .string($0) })]
                        })
                    }
                    return entry
                }
                versions.append(["version": .string(gv.version), "resources": .array(entries), "freshness": "Current"])
            }
            items.append(["metadata": ["name": .string(group), "creationTimestamp": nil], "versions": .array(versions)])
        }
        return ["kind": "APIGroupDiscoveryList", "apiVersion": "apidiscovery.k8s.io/v2", "metadata": .emptyObject, "items": .array(items)]
    }

    static func groupVersions(_ resources: [ResourceInfo]) -> [GroupVersion] {
        var seen: [GroupVersion] = []
        for r in resources where !seen.contains(r.groupVersion) { seen.append(r.groupVersion) }
        return seen
    }
}
