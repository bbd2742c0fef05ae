/// How the leader is currently replicating to one follower.
public enum ProgressState: Sendable, Equatable {
    /// Unknown where the follower's log matches: send one append at a time and wait.
    case probe
    /// Logs match up to `match`: stream appends optimistically, up to the inflight window.
    case replicate
    /// The follower needs a snapshot; nothing else is sent until it is reported.
    case snapshot
}

/// The leader's view of one follower.
final class Progress {
    var match: UInt64
    var next: UInt64
    var state: ProgressState = .probe
    /// In the snapshot state: the index of the snapshot being sent.
    var pendingSnapshot: UInt64 = 0
    /// Heard from since the last check-quorum round.
    var recentActive: Bool
    /// In the probe state: an append is outstanding, wait for its answer (or a heartbeat reply).
    var probeSent = false
    var inflights: Inflights
    var isLearner: Bool

    init(match: UInt64, next: UInt64, maxInflight: Int, isLearner: Bool, recentActive: Bool) {
        self.match = match
        self.next = next
        self.inflights = Inflights(capacity: maxInflight)
        self.isLearner = isLearner
        self.recentActive = recentActive
    }

    private func reset(to state: ProgressState) {
        probeSent = false
        pendingSnapshot = 0
        self.state = state
        inflights.reset()
    }

    func becomeProbe() {
        if state == .snapshot {
            let pending = pendingSnapshot
            reset(to: .probe)
            next = max(match + 1, pending + 1)
        } else {
            reset(to: .probe)
            next = match + 1
        }
    }

    func becomeReplicate() {
        reset(to: .replicate)
        next = match + 1
    }

    func becomeSnapshot(_ index: UInt64) {
        reset(to: .snapshot)
        pendingSnapshot = index
    }

    /// The follower acknowledged `index`; returns whether `match` advanced.
    func maybeUpdate(_ index: UInt64) -> Bool {
        var updated = false
        if match < index {
            match = index
            updated = true
            probeSent = false
        }
        next = max(next, index + 1)
        return updated
    }

    /// The follower rejected an append at `rejected`, hinting its log may match up to
    /// `matchHint`. Returns whether this was news (not a stale rejection).
    func maybeDecrease(rejected: UInt64, matchHint: UInt64) -> Bool {
        if state == .replicate {
            if rejected <= match { return false }
            next = match + 1
            return true
        }
        if next - 1 != rejected { return false }
        next = max(min(rejected, matchHint + 1), match + 1)
        probeSent = false
        return true
    }

    /// Records that entries up to `lastIndex` were sent (`count` of them).
    func sentEntries(count: Int, lastIndex: UInt64) {
        switch state {
        case .replicate:
            if count > 0 {
                next = lastIndex + 1
                inflights.add(lastIndex)
            }
        case .probe:
            if count > 0 { probeSent = true }
        case .snapshot:
            break
        }
    }

    var isPaused: Bool {
        switch state {
        case .probe: return probeSent
        case .replicate: return inflights.isFull
        case .snapshot: return true
        }
    }
}

/// A ring buffer of the last index of each append in flight to one follower (flow control).
struct Inflights {
    private var buffer: [UInt64]
    private var start = 0
    private(set) var count = 0
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        buffer = []
    }

    var isFull: Bool { count == capacity }

    mutating func add(_ index: UInt64) {
        precondition(!isFull, "raft: inflight window overflow")
        if buffer.count < capacity {
            // Grow lazily: most followers never need the whole window.
            if buffer.count == count && start == 0 {
                buffer.append(index)
                count += 1
                return
            }
            grow()
        }
        buffer[(start + count) % buffer.count] = index
        count += 1
    }

    private mutating func grow() {
        var fresh: [UInt64] = []
        fresh.reserveCapacity(capacity)
        for i in 0..<count { fresh.append(buffer[(start + i) % buffer.count]) }
        fresh.append(contentsOf: repeatElement(0, count: capacity - count))
        buffer = fresh
        start = 0
    }

    /// Frees every inflight append up to and including `index` (they were acknowledged).
    mutating func freeLE(_ index: UInt64) {
        while count > 0 && buffer[start] <= index {
            start = (start + 1) % buffer.count
            count -= 1
        }
        if count == 0 { start = 0 }
    }

    mutating func freeFirst() {
        guard count > 0 else { return }
        freeLE(buffer[start])
    }

    mutating func reset() {
        start = 0
        count = 0
        buffer.removeAll(keepingCapacity: true)
    }
}
