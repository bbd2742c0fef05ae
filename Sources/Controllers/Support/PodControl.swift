import APIModel
import ClusterClient
import Foundation
import Logging

/// Creates and deletes the pods of an owner and records the events `kubectl describe`
/// shows for it. A pod is built from the template's JSON whole (every field the user wrote
/// reaches the pod, including ones no Swift type here knows about), then given the owner's
/// controller reference, `generateName: <owner>-` and the template's labels.
struct PodControl: Sendable {
    let client: ClusterClient
    let events: EventRecorder

    /// The pod that `template` (a `PodTemplateSpec`) describes, owned by `owner`.
    static func pod(from template: JSONValue, owner: JSONValue, ownerResource: ResourceRef,
                    extraLabels: [String: String] = [:]) -> JSONValue {
        var metadata: JSONValue = .emptyObject
        metadata["generateName"] = .string(owner.name + "-")
        if let namespace = owner.namespace { metadata["namespace"] = .string(namespace) }
        var labels = template["metadata"]?["labels"]?.objectValue ?? JSONObject()
        for (key, value) in extraLabels.sorted(by: { $0.key < $1.key }) { labels[key] = .string(value) }
        if !labels.isEmpty { metadata["labels"] = .object(labels) }
        if let annotations = template["metadata"]?["annotations"], annotations.objectValue?.isEmpty == false {
            metadata["annotations"] = annotations
        }
        if let finalizers = template["metadata"]?["finalizers"], finalizers.arrayValue?.isEmpty == false {
            metadata["finalizers"] = finalizers
        }
        metadata["ownerReferences"] = [OwnerRefs.controllerRef(to: owner, ownerResource)]
        var pod: JSONValue = ["apiVersion": "v1", "kind": "Pod"]
        pod["metadata"] = metadata
        pod["spec"] = template["spec"] ?? .emptyObject
        return pod
    }

    /// Creates `pod` and records `SuccessfulCreate` (or `FailedCreate`) on `owner`.
    @discardableResult
    func create(_ pod: JSONValue, owner: JSONValue) async throws -> JSONValue {
        do {
            let created = try await client.create(.pods, namespace: owner.namespace, pod)
            events.record(owner, type: .normal, reason: "SuccessfulCreate", message: "Created pod: \(created.name)")
            return created
        } catch {
            events.record(owner, type: .warning, reason: "FailedCreate", message: "Error creating: \(error)")
            throw error
        }
    }

    /// Deletes `pod` (only that incarnation) and records `SuccessfulDelete`; a pod already
    /// gone counts as deleted.
    func delete(_ pod: JSONValue, owner: JSONValue) async throws {
        do {
            try await client.delete(.pods, namespace: pod.namespace, name: pod.name,
                                    options: DeleteOptions(preconditionUID: pod.uid))
            events.record(owner, type: .normal, reason: "SuccessfulDelete", message: "Deleted pod: \(pod.name)")
        } catch let error as ClientError where error.isNotFound {
            return
        } catch {
            events.record(owner, type: .warning, reason: "FailedDelete", message: "Error deleting: \(error)")
            throw error
        }
    }
}
