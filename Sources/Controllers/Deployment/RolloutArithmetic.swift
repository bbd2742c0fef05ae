import APIModel

/// The numbers of a rolling update, as pure functions so they can be tested on their own.
/// maxSurge rounds up and maxUnavailable rounds down (so a percentage never stalls a small
/// Deployment), and when both come out 0 one pod may be unavailable.
enum RolloutArithmetic {
    struct Fenceposts: Equatable {
        var maxSurge: Int
        var maxUnavailable: Int
    }

    static func fenceposts(replicas: Int, maxSurge: JSONValue?, maxUnavailable: JSONValue?) throws -> Fenceposts {
        let surge = try IntOrPercent.resolve(maxSurge, total: replicas, roundUp: true, default: "25%")
        var unavailable = try IntOrPercent.resolve(maxUnavailable, total: replicas, roundUp: false, default: "25%")
        if surge == 0 && unavailable == 0 { unavailable = 1 }
        return Fenceposts(maxSurge: surge, maxUnavailable: unavailable)
    }

    /// The new ReplicaSet's size for this step: grow by what the surge allows over the
    /// pods that exist (spec of every ReplicaSet), never past `desired`.
    static func newReplicaSetSize(desired: Int, maxSurge: Int, totalCurrent: Int, newCurrent: Int) -> Int {
        let maxTotal = desired + maxSurge
        if totalCurrent >= maxTotal { return newCurrent }
        let scaleUp = min(maxTotal - totalCurrent, max(desired - newCurrent, 0))
        return newCurrent + scaleUp
    }

    /// One old ReplicaSet as the scale-down arithmetic sees it.
    struct Counts: Equatable {
        var replicas: Int
        var available: Int
    }

    /// How far each old ReplicaSet (oldest first) is scaled down in this step: first their
    /// unavailable pods (they add nothing to availability), then available ones while the
    /// available total stays at least `desired - maxUnavailable`.
    static func oldScaleDown(desired: Int, maxUnavailable: Int, old: [Counts], new: Counts) -> [Int] {
        var old = old
        let allPods = old.reduce(0) { $0 + $1.replicas } + new.replicas
        let minAvailable = desired - maxUnavailable
        let newUnavailable = new.replicas - new.available
        var budget = allPods - minAvailable - newUnavailable
        var result = old.map(\.replicas)
        guard budget > 0 else { return result }
        // Unhealthy replicas first.
        for index in old.indices where budget > 0 {
            let unhealthy = old[index].replicas - old[index].available
            guard unhealthy > 0 else { continue }
            let cut = min(unhealthy, budget)
            result[index] -= cut
            old[index].replicas -= cut
            budget -= cut
        }
        // Then available ones, down to the minimum availability.
        let available = old.reduce(0) { $0 + min($1.available, $1.replicas) } + new.available
        var allowed = available - minAvailable
        for index in old.indices where allowed > 0 {
            let cut = min(old[index].replicas, allowed)
            result[index] -= cut
            allowed -= cut
        }
        return result
    }

    /// Proportional scaling of several active ReplicaSets when `replicas` changes mid-rollout
    /// (or while paused): each set gets its share of the change by its size relative to the
    /// size the Deployment had (`previousMax`, the max-replicas annotation); the rounding
    /// leftover goes to the largest set. `sizes` are ordered with the set that should take
    /// the leftover first.
    static func proportional(sizes: [Int], previousMax: [Int?], newMax: Int, toAdd: Int) -> [Int] {
        var result = sizes
        var added = 0
        for index in sizes.indices {
            guard toAdd != 0, added != toAdd else { break }
            let allowed = toAdd - added
            let fraction: Int
            if let annotated = previousMax[index], annotated > 0 {
                let scaled = (sizes[index] * newMax + annotated - 1) / annotated  // ceil
                fraction = scaled - sizes[index]
            } else {
                fraction = 0
            }
            let change = toAdd > 0 ? min(fraction, allowed) : max(fraction, allowed)
            result[index] += change
            added += change
        }
        if added != toAdd, !result.isEmpty {
            result[0] = max(result[0] + (toAdd - added), 0)
        }
        return result
    }
}
