import Raft

/// The leader's lease deadlines (etcd's lessor, reduced to what the store needs).
///
/// Lease grants and revokes are log entries and so part of every member's state; the time a
/// lease has left is not: only the current leader keeps it, here, on the loop thread. A new
/// leader starts every granted lease afresh with its full TTL (a lease never expires early
/// because leadership moved; it may live up to one TTL longer). Keep-alives and
/// time-to-live queries are answered by the leader alone; other members forward them.
/// Expired leases are revoked by proposing `StoreCommand.leaseRevoke`, retried every
/// election timeout until the revoke is applied.
struct LeaseClock {
    private var deadlines: [Int64: ContinuousClock.Instant] = [:]
    private var revokeProposed: [Int64: ContinuousClock.Instant] = [:]
    private(set) var active = false

    /// This member became leader: every granted lease gets its full TTL from now.
    mutating func start(leases: [Int64: Int64], now: ContinuousClock.Instant) {
        active = true
        deadlines = leases.mapValues { now + .seconds($0) }
        revokeProposed = [:]
    }

    /// This member is no longer leader.
    mutating func stop() {
        active = false
        deadlines = [:]
        revokeProposed = [:]
    }

    mutating func granted(_ id: Int64, ttl: Int64, now: ContinuousClock.Instant) {
        guard active else { return }
        deadlines[id] = now + .seconds(ttl)
    }

    mutating func revoked(_ id: Int64) {
        deadlines[id] = nil
        revokeProposed[id] = nil
    }

    /// Renews a lease; returns its TTL, or nil if it is not granted (or this is no leader).
    mutating func keepAlive(_ id: Int64, ttl: Int64?, now: ContinuousClock.Instant) -> Int64? {
        guard active, let ttl, deadlines[id] != nil else { return nil }
        deadlines[id] = now + .seconds(ttl)
        return ttl
    }

    /// Whole seconds left (rounded up, never negative), nil if unknown here.
    func remaining(_ id: Int64, now: ContinuousClock.Instant) -> Int64? {
        guard active, let deadline = deadlines[id] else { return nil }
        let (seconds, attoseconds) = now.duration(to: deadline).components
        if seconds < 0 { return 0 }
        return seconds + (attoseconds > 0 ? 1 : 0)
    }

    /// Leases past their deadline whose revoke is not already on its way.
    mutating func expired(now: ContinuousClock.Instant, retryAfter: Duration) -> [Int64] {
        guard active else { return [] }
        var due: [Int64] = []
        for (id, deadline) in deadlines where deadline <= now {
            if let proposed = revokeProposed[id], proposed.duration(to: now) < retryAfter { continue }
            revokeProposed[id] = now
            due.append(id)
        }
        return due.sorted()
    }
}

/// The leader's answer about one lease (see `LeaseClock`).
enum LeaseAnswer: Sendable {
    case ttl(remaining: Int64, granted: Int64)
    case notFound
    /// This member does not lead; `leader` is whom to ask (0: nobody known).
    case notLeader(leader: NodeID)
}
