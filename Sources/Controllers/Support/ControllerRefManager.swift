import APIModel
import ClusterClient
import Logging

/// Decides which objects (pods, ReplicaSets) an owner controls, client-go's
/// ControllerRefManager: objects it controls that still match its selector stay; ones that
/// no longer match are released (their controller reference removed); orphans that match
/// are adopted (given one). An owner being deleted adopts nothing. Both writes are JSON
/// patches guarded by a `test` of the uid, so they never touch a re-created namesake.
struct ControllerRefManager: Sendable {
    let client: ClusterClient
    let resource: ResourceRef
    let ownerResource: ResourceRef
    let logger: Logger

    /// The objects `owner` controls after adopting and releasing; `candidates` are the
    /// objects of its namespace from the informer.
    func claim(owner: JSONValue, selector: LabelSelector, candidates: [JSONValue]) async throws -> [JSONValue] {
        var claimed: [JSONValue] = []
        for object in candidates {
            if let reference = object.controllerReference {
                guard reference.uid == owner.uid else { continue }
                if selector.matches(object: object) || owner.isBeingDeleted {
                    claimed.append(object)
                } else if !object.isBeingDeleted {
                    try await release(object, owner: owner)
                }
                continue
            }
            guard !owner.isBeingDeleted, !object.isBeingDeleted, selector.matches(object: object) else { continue }
            if let adopted = try await adopt(object, owner: owner) { claimed.append(adopted) }
        }
        return claimed
    }

    /// Adds the controller reference; nil when the object vanished meanwhile.
    func adopt(_ object: JSONValue, owner: JSONValue) async throws -> JSONValue? {
        var references = object["metadata"]?["ownerReferences"]?.arrayValue ?? []
        references.append(OwnerRefs.controllerRef(to: owner, ownerResource))
        do {
            let adopted = try await client.patch(resource, namespace: object.namespace, name: object.name, type: .json,
                                                 patch(uid: object.uid, references: references))
            logger.info("adopted \(resource.kind) \(object.key) by \(ownerResource.kind) \(owner.key)")
            return adopted
        } catch let error as ClientError where error.isNotFound || error.isInvalid {
            return nil
        }
    }

    func release(_ object: JSONValue, owner: JSONValue) async throws {
        let references = (object["metadata"]?["ownerReferences"]?.arrayValue ?? []).filter {
            $0["uid"]?.stringValue != owner.uid
        }
        do {
            _ = try await client.patch(resource, namespace: object.namespace, name: object.name, type: .json,
                                       patch(uid: object.uid, references: references))
            logger.info("released \(resource.kind) \(object.key) from \(ownerResource.kind) \(owner.key)")
        } catch let error as ClientError where error.isNotFound || error.isInvalid {
            return
        }
    }

    private func patch(uid: String, references: [JSONValue]) -> JSONValue {
        [
            ["op": "test", "path": "/metadata/uid", "value": .string(uid)],
            ["op": "add", "path": "/metadata/ownerReferences", "value": .array(references)],
        ]
    }
}
