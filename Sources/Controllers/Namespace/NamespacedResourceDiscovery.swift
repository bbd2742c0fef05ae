import APIModel
import ClusterClient

/// Every namespaced resource the apiserver serves, from discovery (`/api/v1`, `/apis` and
/// each group's preferred version), so namespace deletion also empties kinds added later.
enum NamespacedResourceDiscovery {
    struct DiscoveryError: Error, CustomStringConvertible {
        let description: String
    }

    /// A namespaced resource and whether it supports `deletecollection`.
    struct Resource: Sendable, Hashable {
        var ref: ResourceRef
        var canDeleteCollection: Bool
    }

    static func discover(client: ClusterClient) async throws -> [Resource] {
        var resources = try parseResourceList(await fetch(client, "/api/v1"), group: "", version: "v1")
        let groups = try await fetch(client, "/apis")
        for (group, version) in preferredVersions(groups) {
            resources += try parseResourceList(await fetch(client, "/apis/\(group)/\(version)"), group: group, version: version)
        }
        return resources
    }

    /// Every resource served (namespaced or not), as `group/version/plural`.
    static func servedResources(client: ClusterClient) async throws -> Set<String> {
        var served: Set<String> = []
        let collect = { (list: JSONValue, group: String, version: String) in
            for resource in list["resources"]?.arrayValue ?? [] {
                if let name = resource["name"]?.stringValue, !name.contains("/") { served.insert("\(group)/\(version)/\(name)") }
            }
        }
        collect(try await fetch(client, "/api/v1"), "", "v1")
        let groups = try await fetch(client, "/apis")
        for group in groups["groups"]?.arrayValue ?? [] {
            guard let name = group["name"]?.stringValue else { continue }
            for version in group["versions"]?.arrayValue?.compactMap({ $0["version"]?.stringValue }) ?? [] {
                collect(try await fetch(client, "/apis/\(name)/\(version)"), name, version)
            }
        }
        return served
    }

    private static func fetch(_ client: ClusterClient, _ path: String) async throws -> JSONValue {
        let (status, body) = try await client.raw(method: "GET", path: path)
        guard (200..<300).contains(status) else { throw DiscoveryError(description: "GET \(path): HTTP \(status)") }
        do {
            return try JSONValue.parse(body).value
        } catch {
            throw DiscoveryError(description: "GET \(path): \(error)")
        }
    }

    /// The (group, preferred version) pairs of an `APIGroupList`.
    static func preferredVersions(_ groupList: JSONValue) -> [(String, String)] {
        (groupList["groups"]?.arrayValue ?? []).compactMap { group in
            guard let name = group["name"]?.stringValue else { return nil }
            let version = group["preferredVersion"]?["version"]?.stringValue
                ?? group["versions"]?[0]?["version"]?.stringValue
            return version.map { (name, $0) }
        }
    }

    /// The namespaced, listable and deletable resources (no subresources) of an `APIResourceList`.
    static func parseResourceList(_ list: JSONValue, group: String, version: String) -> [Resource] {
        (list["resources"]?.arrayValue ?? []).compactMap { resource in
            guard let name = resource["name"]?.stringValue, !name.contains("/"),
                  resource["namespaced"]?.boolValue == true else { return nil }
            let verbs = Set(resource["verbs"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            guard verbs.contains("list"), verbs.contains("delete") || verbs.contains("deletecollection") else { return nil }
            let ref = ResourceRef(group: group, version: version, plural: name, kind: resource["kind"]?.stringValue ?? "",
                                  namespaced: true)
            return Resource(ref: ref, canDeleteCollection: verbs.contains("deletecollection"))
        }
    }
}
