import APIModel
import Hummingbird

/// Discovery documents, built once per server: they depend only on the registry and the
/// advertised address. `/api` and `/apis` answer aggregated or legacy by the `Accept` header.
struct DiscoveryEndpoints: Sendable {
    let resources: [ResourceInfo]
    private let legacyCore: [UInt8]
    private let legacyGroups: [UInt8]
    private let aggregatedCore: JSONValue
    private let aggregatedGroups: JSONValue
    private let groupDocuments: [String: [UInt8]]
    private let resourceLists: [String: [UInt8]]

    init(serverAddress: String, resources: [ResourceInfo] = ResourceRegistry.all) {
        self.resources = resources
        legacyCore = Discovery.apiVersions(serverAddress: serverAddress).encoded()
        legacyGroups = Discovery.apiGroupList(resources: resources).encoded()
        aggregatedCore = Discovery.aggregated(core: true, resources: resources)
        aggregatedGroups = Discovery.aggregated(core: false, resources: resources)
        var lists: [String: [UInt8]] = [:]
        var versionsByGroup: [String: [String]] = [:]
        for r in resources {
            let gv = r.groupVersion
            if lists[gv.apiVersion] == nil {
                lists[gv.apiVersion] = Discovery.apiResourceList(gv, resources: resources).encoded()
                if !gv.group.isEmpty { versionsByGroup[gv.group, default: []].append(gv.version) }
            }
        }
        resourceLists = lists
        var groups: [String: [UInt8]] = [:]
        for (group, versions) in versionsByGroup {
            let entries: [JSONValue] = versions.map { ["groupVersion": .string("\(group)/\($0)"), "version": .string($0)] }
            let document: JSONValue = ["kind": "APIGroup", "apiVersion": "v1", "name": .string(group),
                                       "versions": .array(entries), "preferredVersion": entries[0]]
            groups[group] = document.encoded()
        }
        groupDocuments = groups
    }

    /// `GET /api` (core) or `GET /apis`.
    func root(core: Bool, accept: String?) -> Response {
        switch DiscoveryShape(accept: accept) {
        case .legacy:
            return JSONResponses.bytes(200, core ? legacyCore : legacyGroups)
        case .aggregated(let version):
            var document = core ? aggregatedCore : aggregatedGroups
            if version != "v2" { document["apiVersion"] = .string("apidiscovery.k8s.io/\(version)") }
            return JSONResponses.make(200, document, contentType: DiscoveryShape.contentType(version: version))
        }
    }

    /// `GET /apis/<group>`.
    func group(_ name: String) -> Response {
        guard let bytes = groupDocuments[name] else { return JSONResponses.make(StatusDocument.notFound()) }
        return JSONResponses.bytes(200, bytes)
    }

    /// `GET /api/v1` or `GET /apis/<group>/<version>`.
    func resourceList(_ groupVersion: GroupVersion) -> Response {
        guard let bytes = resourceLists[groupVersion.apiVersion] else { return JSONResponses.make(StatusDocument.notFound()) }
        return JSONResponses.bytes(200, bytes)
    }
}
