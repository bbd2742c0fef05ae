import APIModel
import ClusterClient

/// ControllerRevisions of a StatefulSet: one per distinct pod template, named
/// `<set>-<hash>`, holding the template as a replace patch of `spec.template`, numbered in
/// the order templates were used (a template used again gets the next number).
extension StatefulSetController {
    static func revisionData(_ set: JSONValue) -> JSONValue {
        var template = set["spec"]?["template"] ?? .emptyObject
        template["$patch"] = "replace"
        return ["spec": ["template": template]]
    }

    static func template(of revision: JSONValue) -> JSONValue? {
        guard var template = revision["data"]?["spec"]?["template"] else { return nil }
        template["$patch"] = nil
        return template
    }

    /// The owned revisions, and the one for the set's current template (created or
    /// renumbered as needed).
    func syncRevisions(_ set: JSONValue) async throws -> (all: [JSONValue], update: JSONValue) {
        var owned = revisions.list(namespace: set.namespace ?? "").filter { OwnerRefs.isControlled($0, by: set) }
        let data = Self.revisionData(set)
        let maxNumber = owned.compactMap { $0["revision"]?.intValue }.max() ?? 0
        if let index = owned.firstIndex(where: { $0["data"] == data }) {
            var existing = owned[index]
            if existing["revision"]?.intValue != maxNumber {
                existing["revision"] = .int(maxNumber + 1)
                existing = try await client.update(.controllerRevisions, existing)
                owned[index] = existing
            }
            return (owned, existing)
        }
        let collisionCount = set.int("status", "collisionCount", default: -1)
        let hash = TemplateHash.hash(set["spec"]?["template"] ?? .emptyObject, collisionCount: collisionCount >= 0 ? collisionCount : nil)
        var metadata: JSONValue = ["name": .string("\(set.name)-\(hash)"), "namespace": .string(set.namespace ?? "default"),
                                   "ownerReferences": [OwnerRefs.controllerRef(to: set, .statefulSets)]]
        if let labels = set["spec"]?["template"]?["metadata"]?["labels"] { metadata["labels"] = labels }
        var revision: JSONValue = ["apiVersion": "apps/v1", "kind": "ControllerRevision"]
        revision["metadata"] = metadata
        revision["data"] = data
        revision["revision"] = .int(maxNumber + 1)
        do {
            let created = try await client.create(.controllerRevisions, namespace: set.namespace, revision)
            return (owned + [created], created)
        } catch let error as ClientError where error.isAlreadyExists {
            let existing = try await client.get(.controllerRevisions, namespace: set.namespace, name: "\(set.name)-\(hash)")
            if existing["data"] == data, OwnerRefs.isControlled(existing, by: set) { return (owned + [existing], existing) }
            var updated = set
            updated["status"]?["collisionCount"] = .int(Int64(max(collisionCount, 0) + 1))
            _ = try await client.update(.statefulSets, updated, subresource: "status")
            throw error
        }
    }

    /// Deletes the oldest revisions beyond revisionHistoryLimit that no pod uses and that
    /// are neither the current nor the update revision.
    func cleanupRevisions(_ set: JSONValue, all: [JSONValue], pods: [JSONValue], keep: Set<String>) async throws {
        let limit = set.int("spec", "revisionHistoryLimit", default: 10)
        let used = Set(pods.compactMap { $0.labels[StatefulSetIdentity.revisionLabel] }).union(keep)
        let unused = all.filter { !used.contains($0.name) }.sorted { ($0["revision"]?.intValue ?? 0) < ($1["revision"]?.intValue ?? 0) }
        guard unused.count > limit else { return }
        for revision in unused.prefix(unused.count - limit) {
            do {
                try await client.delete(.controllerRevisions, namespace: revision.namespace, name: revision.name)
            } catch let error as ClientError where error.isNotFound {}
        }
    }
}
