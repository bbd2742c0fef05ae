import APIModel
import ClusterClient
import Foundation

/// The three ways a sync moves ReplicaSets: proportional scaling (paused, or `replicas`
/// changed mid-rollout), RollingUpdate and Recreate.
extension DeploymentController {
    /// True when some active ReplicaSet was sized for a different `replicas` than the
    /// Deployment's now (its desired-replicas annotation says so).
    func isScalingEvent(_ deployment: JSONValue, _ owned: [JSONValue]) -> Bool {
        let desired = String(desiredReplicas(deployment))
        return owned.contains { rs in
            guard Self.replicas(rs) > 0, let annotated = rs.annotations[Self.desiredReplicasAnnotation] else { return false }
            return annotated != desired
        }
    }

    /// Scaling without rolling out: no new ReplicaSet is created.
    func syncScaling(_ deployment: JSONValue, _ owned: [JSONValue]) async throws {
        let (new, old) = try await newAndOldReplicaSets(deployment, owned, create: false)
        try await scaleProportionally(deployment, new: new, old: old)
        if isPaused(deployment) { try await cleanupHistory(deployment, old: old) }
        try await syncStatusOnly(deployment, refreshed(owned))
    }

    func scaleProportionally(_ deployment: JSONValue, new: JSONValue?, old: [JSONValue]) async throws {
        let desired = desiredReplicas(deployment)
        let all = ([new].compactMap { $0 } + old)
        let active = all.filter { Self.replicas($0) > 0 }
        // One active set (or none): it takes the whole size.
        if active.count <= 1 {
            let target = active.first ?? new ?? Self.byCreation(old).last
            if let target, Self.replicas(target) != desired { try await scale(target, to: desired, deployment) }
            return
        }
        // The new set is complete: the old ones go.
        if let new, Self.replicas(new) == desired, new.int("status", "availableReplicas") == desired {
            for rs in old where Self.replicas(rs) > 0 { try await scale(rs, to: 0, deployment) }
            return
        }
        guard deployment.string("spec", "strategy", "type") != "Recreate" else { return }
        let maxSurge = fenceposts(deployment).maxSurge
        let allowed = desired > 0 ? desired + maxSurge : 0
        let current = active.map(Self.replicas).reduce(0, +)
        let toAdd = allowed - current
        guard toAdd != 0 else { return }
        let ordered = active.sorted { a, b in
            let sa = Self.replicas(a), sb = Self.replicas(b)
            if sa != sb { return sa > sb }
            return toAdd > 0 ? PodFacts.created(a) > PodFacts.created(b) : PodFacts.created(a) < PodFacts.created(b)
        }
        let sizes = RolloutArithmetic.proportional(
            sizes: ordered.map(Self.replicas),
            previousMax: ordered.map { Int($0.annotations[Self.maxReplicasAnnotation] ?? "") },
            newMax: allowed, toAdd: toAdd)
        for (rs, size) in zip(ordered, sizes) { try await scale(rs, to: size, deployment) }
    }

    func rolloutRolling(_ deployment: JSONValue, _ owned: [JSONValue]) async throws {
        let (newSet, old) = try await newAndOldReplicaSets(deployment, owned, create: true)
        guard let new = newSet else { return }
        let desired = desiredReplicas(deployment)
        let fence = fenceposts(deployment)

        // Scale the new set up as far as the surge allows (or down to the size).
        let newSize = Self.replicas(new)
        if newSize > desired {
            try await scale(new, to: desired, deployment)
            return try await syncRolloutStatus(deployment, refreshed(owned + [new]))
        }
        if newSize < desired {
            let total = old.map(Self.replicas).reduce(0, +) + newSize
            let target = RolloutArithmetic.newReplicaSetSize(desired: desired, maxSurge: fence.maxSurge,
                                                             totalCurrent: total, newCurrent: newSize)
            if target != newSize {
                try await scale(new, to: target, deployment)
                return try await syncRolloutStatus(deployment, refreshed(owned + [new]))
            }
        }

        // Scale old sets down within maxUnavailable.
        let activeOld = Self.byCreation(old.filter { Self.replicas($0) > 0 })
        if !activeOld.isEmpty {
            let sizes = RolloutArithmetic.oldScaleDown(
                desired: desired, maxUnavailable: fence.maxUnavailable,
                old: activeOld.map { .init(replicas: Self.replicas($0), available: $0.int("status", "availableReplicas")) },
                new: .init(replicas: Self.replicas(new), available: new.int("status", "availableReplicas")))
            var scaled = false
            for (rs, size) in zip(activeOld, sizes) where size != Self.replicas(rs) {
                try await scale(rs, to: size, deployment)
                scaled = true
            }
            if scaled { return try await syncRolloutStatus(deployment, refreshed(owned + [new])) }
        }

        let status = calculateStatus(deployment, all: refreshed(owned + [new]), new: new)
        if isComplete(deployment, status) { try await cleanupHistory(deployment, old: old) }
        try await syncRolloutStatus(deployment, refreshed(owned + [new]))
    }

    func rolloutRecreate(_ deployment: JSONValue, _ owned: [JSONValue]) async throws {
        var (newSet, old) = try await newAndOldReplicaSets(deployment, owned, create: false)
        var scaledDown = false
        for rs in old where Self.replicas(rs) > 0 {
            try await scale(rs, to: 0, deployment)
            scaledDown = true
        }
        if scaledDown { return try await syncRolloutStatus(deployment, refreshed(owned)) }
        // Wait until no pod of an old set is left (running or terminating).
        let oldUIDs = Set(old.map(\.uid))
        let oldPodsLeft = pods.list(namespace: deployment.namespace ?? "").contains { pod in
            guard let reference = pod.controllerReference, oldUIDs.contains(reference.uid) else { return false }
            return !PodFacts.isTerminal(pod)
        }
        if oldPodsLeft { return try await syncRolloutStatus(deployment, refreshed(owned)) }
        if newSet == nil {
            (newSet, old) = try await newAndOldReplicaSets(deployment, owned, create: true)
        }
        guard let new = newSet else { return }
        if Self.replicas(new) != desiredReplicas(deployment) {
            try await scale(new, to: desiredReplicas(deployment), deployment)
        }
        let all = refreshed(owned + [new])
        if isComplete(deployment, calculateStatus(deployment, all: all, new: new)) {
            try await cleanupHistory(deployment, old: old)
        }
        try await syncRolloutStatus(deployment, all)
    }

    /// The latest copies of these sets from the cache (deduplicated by uid), so status
    /// arithmetic sees the sizes just written once the cache has them.
    func refreshed(_ sets: [JSONValue]) -> [JSONValue] {
        var seen = Set<String>()
        return sets.compactMap { rs in
            guard seen.insert(rs.uid).inserted else { return nil }
            guard let cached = replicaSets.get(rs.key), cached.uid == rs.uid else { return rs }
            return Int(cached.resourceVersion) ?? 0 >= Int(rs.resourceVersion) ?? 0 ? cached : rs
        }
    }
}
