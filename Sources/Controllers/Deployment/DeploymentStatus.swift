import APIModel
import ClusterClient
import Foundation

/// The Deployment's status: counts summed over its ReplicaSets, and the Available and
/// Progressing conditions `kubectl rollout status` decides by.
extension DeploymentController {
    func hasProgressDeadline(_ deployment: JSONValue) -> Bool {
        guard let seconds = deployment["spec"]?["progressDeadlineSeconds"]?.intValue else { return true }
        return seconds != Int64(Int32.max)
    }

    func progressDeadline(_ deployment: JSONValue) -> Int { deployment.int("spec", "progressDeadlineSeconds", default: 600) }

    /// Progressing Unknown with DeploymentPaused / DeploymentResumed when `spec.paused` flips.
    func checkPausedConditions(_ deployment: JSONValue) async throws -> JSONValue {
        guard hasProgressDeadline(deployment) else { return deployment }
        let reason = Conditions.find(deployment, "Progressing")?["reason"]?.stringValue
        var status = deployment["status"] ?? .emptyObject
        if isPaused(deployment), reason != "DeploymentPaused" {
            Conditions.set(&status, type: "Progressing", status: "Unknown", reason: "DeploymentPaused",
                           message: "Deployment is paused", now: now(), withUpdateTime: true)
        } else if !isPaused(deployment), reason == "DeploymentPaused" {
            Conditions.set(&status, type: "Progressing", status: "Unknown", reason: "DeploymentResumed",
                           message: "Deployment is resumed", now: now(), withUpdateTime: true)
        } else {
            return deployment
        }
        var updated = deployment
        updated["status"] = status
        return try await client.update(.deployments, updated, subresource: "status")
    }

    func calculateStatus(_ deployment: JSONValue, all: [JSONValue], new: JSONValue?) -> JSONValue {
        func sum(_ field: String) -> Int { all.map { $0.int("status", field) }.reduce(0, +) }
        let desired = desiredReplicas(deployment)
        let available = sum("availableReplicas")
        var status = deployment["status"] ?? .emptyObject
        status["observedGeneration"] = .int(deployment.generation)
        status["replicas"] = .int(Int64(sum("replicas")))
        status["updatedReplicas"] = .int(Int64(new?.int("status", "replicas") ?? 0))
        status["readyReplicas"] = .int(Int64(sum("readyReplicas")))
        status["availableReplicas"] = .int(Int64(available))
        status["unavailableReplicas"] = .int(Int64(max(desired - available, 0)))
        let maxUnavailable = desired == 0 ? 0 : min(fenceposts(deployment).maxUnavailable, desired)
        if available >= desired - maxUnavailable {
            Conditions.set(&status, type: "Available", status: "True", reason: "MinimumReplicasAvailable",
                           message: "Deployment has minimum availability.", now: now(), withUpdateTime: true)
        } else {
            Conditions.set(&status, type: "Available", status: "False", reason: "MinimumReplicasUnavailable",
                           message: "Deployment does not have minimum availability.", now: now(), withUpdateTime: true)
        }
        return status
    }

    /// Every replica updated, available, and nothing else running (Kubernetes' DeploymentComplete).
    func isComplete(_ deployment: JSONValue, _ status: JSONValue) -> Bool {
        let desired = desiredReplicas(deployment)
        return status.int("updatedReplicas") == desired && status.int("replicas") == desired
            && status.int("availableReplicas") == desired
            && status.int("observedGeneration") >= Int(deployment.generation)
    }

    /// Status for a paused, scaling or deleted Deployment: counts and availability only.
    func syncStatusOnly(_ deployment: JSONValue, _ owned: [JSONValue]) async throws {
        let new = findNewReplicaSet(deployment, owned)
        let status = calculateStatus(deployment, all: owned, new: new)
        try await writeStatus(deployment, status)
    }

    /// Status of a rollout in progress, with the Progressing condition: complete, progress
    /// made (its lastUpdateTime moves), or stuck past progressDeadlineSeconds.
    func syncRolloutStatus(_ deployment: JSONValue, _ all: [JSONValue]) async throws {
        let new = findNewReplicaSet(deployment, all)
        var status = calculateStatus(deployment, all: all, new: new)
        let name = new?.name ?? deployment.name
        let current = deployments.get(deployment.key) ?? deployment
        if !hasProgressDeadline(deployment) {
            Conditions.remove(&status, type: "Progressing")
        } else if !isPaused(deployment) {
            let progressing = Conditions.find(current, "Progressing")
            if isComplete(deployment, status) {
                Conditions.set(&status, type: "Progressing", status: "True", reason: "NewReplicaSetAvailable",
                               message: "ReplicaSet \"\(name)\" has successfully progressed.", now: now(), withUpdateTime: true)
            } else if madeProgress(old: current["status"] ?? .emptyObject, new: status) {
                Conditions.set(&status, type: "Progressing", status: "True", reason: "ReplicaSetUpdated",
                               message: "ReplicaSet \"\(name)\" is progressing.", now: now(), withUpdateTime: true,
                               refresh: true)
            } else if let progressing, timedOut(deployment, progressing) {
                Conditions.set(&status, type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded",
                               message: "ReplicaSet \"\(name)\" has timed out progressing.", now: now(), withUpdateTime: true)
                events.record(deployment, type: .warning, reason: "ProgressDeadlineExceeded",
                              message: "ReplicaSet \"\(name)\" has timed out progressing.")
            }
            // Look again when the deadline would pass.
            if !isComplete(deployment, status),
               let condition = Conditions.find(["status": status], "Progressing"),
               condition["reason"]?.stringValue != "ProgressDeadlineExceeded",
               let updated = Timestamps.parse(condition["lastUpdateTime"]?.stringValue) {
                let remaining = updated.addingTimeInterval(TimeInterval(progressDeadline(deployment))).timeIntervalSince(now())
                loop.enqueue(deployment.key, after: .seconds(max(remaining, 0) + 1))
            }
        }
        try await writeStatus(current, status)
    }

    private func madeProgress(old: JSONValue, new: JSONValue) -> Bool {
        new.int("updatedReplicas") > old.int("updatedReplicas")
            || new.int("readyReplicas") > old.int("readyReplicas")
            || new.int("availableReplicas") > old.int("availableReplicas")
            || new.int("replicas") - new.int("updatedReplicas") < old.int("replicas") - old.int("updatedReplicas")
    }

    private func timedOut(_ deployment: JSONValue, _ condition: JSONValue) -> Bool {
        let reason = condition["reason"]?.stringValue
        if reason == "NewReplicaSetAvailable" || reason == "ProgressDeadlineExceeded" { return false }
        guard let updated = Timestamps.parse(condition["lastUpdateTime"]?.stringValue) else { return false }
        return updated.addingTimeInterval(TimeInterval(progressDeadline(deployment))) < now()
    }

    private func writeStatus(_ deployment: JSONValue, _ status: JSONValue) async throws {
        let current = deployments.get(deployment.key) ?? deployment
        guard current.uid == deployment.uid, status != current["status"] ?? .emptyObject else { return }
        try await StatusWriter.write(client, .deployments, current, status: status)
    }
}
