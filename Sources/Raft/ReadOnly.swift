/// Pending ReadIndex requests on the leader (Raft thesis §6.4): each waits until a quorum has
/// answered a heartbeat carrying its context, which proves the leader was still the leader
/// when the read arrived; then its read index (the commit index at arrival) can be served.
struct ReadOnly {
    struct Status {
        var request: Message
        var index: UInt64
        var acks: [NodeID: Bool]
    }

    private var pending: [[UInt8]: Status] = [:]
    /// Contexts in arrival order; heartbeats carry the newest, which confirms all older ones.
    private var queue: [[UInt8]] = []

    mutating func add(index: UInt64, request: Message, context: [UInt8]) {
        if pending[context] != nil { return }
        pending[context] = Status(request: request, index: index, acks: [:])
        queue.append(context)
    }

    /// Records that `id` answered a heartbeat with `context`; returns the acks so far.
    mutating func receiveAck(from id: NodeID, context: [UInt8]) -> [NodeID: Bool]? {
        guard pending[context] != nil else { return nil }
        pending[context]?.acks[id] = true
        return pending[context]?.acks
    }

    /// Removes and returns every request up to and including `context`, oldest first.
    mutating func advance(through context: [UInt8]) -> [Status] {
        guard let position = queue.firstIndex(of: context) else { return [] }
        var done: [Status] = []
        for ctx in queue[...position] {
            if let s = pending.removeValue(forKey: ctx) { done.append(s) }
        }
        queue.removeFirst(position + 1)
        return done
    }

    var lastPendingContext: [UInt8] { queue.last ?? [] }
}
