import APIModel
import ClusterClient
import Foundation

/// Finding, creating and scaling a Deployment's ReplicaSets.
extension DeploymentController {
    /// Templates are equal when they differ at most in the `pod-template-hash` label.
    static func templatesEqualIgnoringHash(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
        strippingHash(a ?? .emptyObject) == strippingHash(b ?? .emptyObject)
    }

    static func strippingHash(_ template: JSONValue) -> JSONValue {
        var template = template
        if var labels = template["metadata"]?["labels"]?.objectValue {
            _ = labels.removeValue(forKey: hashLabel)
            template["metadata"]?["labels"] = labels.isEmpty ? nil : .object(labels)
        }
        if template["metadata"]?.objectValue?.isEmpty == true { template["metadata"] = nil }
        return template
    }

    static func revision(_ rs: JSONValue) -> Int { Int(rs.annotations[revisionAnnotation] ?? "") ?? 0 }

    static func replicas(_ rs: JSONValue) -> Int { rs.int("spec", "replicas", default: 0) }

    /// Oldest first (then by name), the order Kubernetes walks ReplicaSets in.
    static func byCreation(_ sets: [JSONValue]) -> [JSONValue] {
        sets.sorted { a, b in
            let ca = PodFacts.created(a), cb = PodFacts.created(b)
            return ca != cb ? ca < cb : a.name < b.name
        }
    }

    /// The ReplicaSet whose template is the Deployment's (the oldest if several).
    func findNewReplicaSet(_ deployment: JSONValue, _ sets: [JSONValue]) -> JSONValue? {
        Self.byCreation(sets).first { Self.templatesEqualIgnoringHash($0["spec"]?["template"], deployment["spec"]?["template"]) }
    }

    /// The new ReplicaSet (created when `create` and missing) and the old ones. The new set's
    /// revision becomes one more than every old set's, so a rollback to an old template
    /// brings that set back as the latest revision.
    func newAndOldReplicaSets(_ deployment: JSONValue, _ owned: [JSONValue], create: Bool) async throws
        -> (new: JSONValue?, old: [JSONValue]) {
        let existing = findNewReplicaSet(deployment, owned)
        let old = owned.filter { $0.uid != existing?.uid }
        let newRevision = (old.map(Self.revision).max() ?? 0) + 1
        if var rs = existing {
            var changed = false
            if Self.revision(rs) < newRevision {
                setAnnotation(&rs, Self.revisionAnnotation, String(newRevision))
                changed = true
            }
            let minReady = deployment["spec"]?["minReadySeconds"] ?? .int(0)
            if (rs["spec"]?["minReadySeconds"] ?? .int(0)) != minReady {
                rs["spec"]?["minReadySeconds"] = minReady
                changed = true
            }
            if rs.annotations[Self.desiredReplicasAnnotation] == nil {
                changed = setReplicaAnnotations(&rs, deployment) || changed
            }
            if changed { rs = try await client.update(.replicaSets, rs) }
            try await recordRevision(deployment, Self.revision(rs), newSetName: rs.name, created: false)
            return (rs, old)
        }
        guard create else { return (nil, old) }
        return (try await createNewReplicaSet(deployment, old: old, revision: newRevision), old)
    }

    private func createNewReplicaSet(_ deployment: JSONValue, old: [JSONValue], revision: Int) async throws -> JSONValue {
        let collisionCount = deployment.int("status", "collisionCount", default: -1)
        let hash = TemplateHash.hash(deployment["spec"]?["template"] ?? .emptyObject,
                                     collisionCount: collisionCount >= 0 ? collisionCount : nil)
        var template = deployment["spec"]?["template"] ?? .emptyObject
        template["metadata"]?["labels"]?[Self.hashLabel] = .string(hash)
        if template["metadata"]?["labels"] == nil { template["metadata"]?["labels"] = [Self.hashLabel: .string(hash)] }
        var selector = deployment["spec"]?["selector"] ?? .emptyObject
        var matchLabels = selector["matchLabels"]?.objectValue ?? JSONObject()
        matchLabels[Self.hashLabel] = .string(hash)
        selector["matchLabels"] = .object(matchLabels)

        let fence = fenceposts(deployment)
        let desired = desiredReplicas(deployment)
        let size: Int
        if deployment.string("spec", "strategy", "type") == "Recreate" {
            size = desired
        } else {
            let total = old.map(Self.replicas).reduce(0, +)
            size = RolloutArithmetic.newReplicaSetSize(desired: desired, maxSurge: fence.maxSurge,
                                                       totalCurrent: total, newCurrent: 0)
        }
        var metadata: JSONValue = [
            "name": .string("\(deployment.name)-\(hash)"),
            "namespace": .string(deployment.namespace ?? "default"),
            "ownerReferences": [OwnerRefs.controllerRef(to: deployment, .deployments)],
        ]
        if let labels = template["metadata"]?["labels"] { metadata["labels"] = labels }
        var annotations = JSONObject()
        for (key, value) in deployment.annotations.sorted(by: { $0.key < $1.key }) where Self.copiedAnnotation(key) {
            annotations[key] = .string(value)
        }
        annotations[Self.revisionAnnotation] = .string(String(revision))
        annotations[Self.desiredReplicasAnnotation] = .string(String(desired))
        annotations[Self.maxReplicasAnnotation] = .string(String(desired + fence.maxSurge))
        metadata["annotations"] = .object(annotations)
        var rs: JSONValue = ["apiVersion": "apps/v1", "kind": "ReplicaSet"]
        rs["metadata"] = metadata
        rs["spec"] = [
            "replicas": .int(Int64(size)),
            "minReadySeconds": deployment["spec"]?["minReadySeconds"] ?? .int(0),
            "selector": selector,
            "template": template,
        ]
        do {
            let created = try await client.create(.replicaSets, namespace: deployment.namespace, rs)
            if size > 0 {
                events.record(deployment, type: .normal, reason: "ScalingReplicaSet",
                              message: "Scaled up replica set \(created.name) to \(size)")
            }
            try await recordRevision(deployment, revision, newSetName: created.name, created: true)
            return created
        } catch let error as ClientError where error.isAlreadyExists {
            // Our own set that the cache has not shown yet, or a hash collision.
            let existing = try await client.get(.replicaSets, namespace: deployment.namespace, name: "\(deployment.name)-\(hash)")
            if OwnerRefs.isControlled(existing, by: deployment),
               Self.templatesEqualIgnoringHash(existing["spec"]?["template"], deployment["spec"]?["template"]) {
                return existing
            }
            var updated = deployment
            updated["status"]?["collisionCount"] = .int(Int64(max(collisionCount, 0) + 1))
            if updated["status"] == nil { updated["status"] = ["collisionCount": .int(Int64(max(collisionCount, 0) + 1))] }
            _ = try await client.update(.deployments, updated, subresource: "status")
            throw error
        }
    }

    /// Annotations of the Deployment that its ReplicaSets carry too (what `kubectl rollout
    /// undo` copies back), leaving out the ones the controller manages itself.
    static func copiedAnnotation(_ key: String) -> Bool {
        ![revisionAnnotation, desiredReplicasAnnotation, maxReplicasAnnotation,
          "deployment.kubernetes.io/revision-history", "kubectl.kubernetes.io/last-applied-configuration",
          "deprecated.deployment.rollback.to"].contains(key)
    }

    /// The Deployment's own revision annotation and its Progressing condition about the new set.
    private func recordRevision(_ deployment: JSONValue, _ revision: Int, newSetName: String, created: Bool) async throws {
        var current = deployments.get(deployment.key) ?? deployment
        if current.annotations[Self.revisionAnnotation] != String(revision) {
            setAnnotation(&current, Self.revisionAnnotation, String(revision))
            current = try await client.update(.deployments, current)
        }
        guard hasProgressDeadline(deployment) else { return }
        var status = current["status"] ?? .emptyObject
        if created {
            Conditions.set(&status, type: "Progressing", status: "True", reason: "NewReplicaSetCreated",
                           message: "Created new replica set \"\(newSetName)\"", now: now(), withUpdateTime: true)
        } else if Conditions.find(current, "Progressing") == nil {
            Conditions.set(&status, type: "Progressing", status: "True", reason: "FoundNewReplicaSet",
                           message: "Found new replica set \"\(newSetName)\"", now: now(), withUpdateTime: true)
        } else {
            return
        }
        current["status"] = status
        _ = try await client.update(.deployments, current, subresource: "status")
    }

    func setAnnotation(_ object: inout JSONValue, _ key: String, _ value: String) {
        if object["metadata"]?["annotations"]?.objectValue == nil { object["metadata"]?["annotations"] = .emptyObject }
        object["metadata"]?["annotations"]?[key] = .string(value)
    }

    /// Sets desired-replicas and max-replicas; true when they changed.
    func setReplicaAnnotations(_ rs: inout JSONValue, _ deployment: JSONValue) -> Bool {
        let desired = String(desiredReplicas(deployment))
        let max = String(desiredReplicas(deployment) + fenceposts(deployment).maxSurge)
        guard rs.annotations[Self.desiredReplicasAnnotation] != desired || rs.annotations[Self.maxReplicasAnnotation] != max else {
            return false
        }
        setAnnotation(&rs, Self.desiredReplicasAnnotation, desired)
        setAnnotation(&rs, Self.maxReplicasAnnotation, max)
        return true
    }

    /// Scales `rs` to `size` (and stamps the Deployment's size on it); records the
    /// ScalingReplicaSet event. Returns the updated set.
    @discardableResult
    func scale(_ rs: JSONValue, to size: Int, _ deployment: JSONValue) async throws -> JSONValue {
        let from = Self.replicas(rs)
        var updated = rs
        let annotationsChanged = setReplicaAnnotations(&updated, deployment)
        guard from != size || annotationsChanged else { return rs }
        updated["spec"]?["replicas"] = .int(Int64(size))
        let result = try await client.update(.replicaSets, updated)
        if from != size {
            let direction = size > from ? "up" : "down"
            events.record(deployment, type: .normal, reason: "ScalingReplicaSet",
                          message: "Scaled \(direction) replica set \(rs.name) to \(size) from \(from)")
        }
        return result
    }

    /// Deletes the oldest ReplicaSets beyond revisionHistoryLimit that no longer run pods.
    func cleanupHistory(_ deployment: JSONValue, old: [JSONValue]) async throws {
        let limit = deployment.int("spec", "revisionHistoryLimit", default: 10)
        let candidates = old.filter { !$0.isBeingDeleted }
        var excess = candidates.count - limit
        guard excess > 0 else { return }
        let ordered = candidates.sorted { Self.revision($0) != Self.revision($1) ? Self.revision($0) < Self.revision($1) : PodFacts.created($0) < PodFacts.created($1) }
        for rs in ordered where excess > 0 {
            guard Self.replicas(rs) == 0, rs.int("status", "replicas") == 0,
                  rs.int("status", "observedGeneration") >= Int(rs.generation) else { continue }
            do {
                try await client.delete(.replicaSets, namespace: rs.namespace, name: rs.name,
                                        options: DeleteOptions(preconditionUID: rs.uid))
            } catch let error as ClientError where error.isNotFound {}
            excess -= 1
        }
    }
}
