/// The answer of a linearizability check.
public enum CheckResult: Sendable, Equatable {
    /// Some total order of the operations respects real time and the model.
    case linearizable
    /// No such order exists; `partition` is the index of a failing sub-history (e.g. a key)
    /// and `operations` the number of operations in it.
    case notLinearizable(partition: Int, operations: Int)
    /// The search exceeded its step budget before deciding.
    case unknown
}

/// Wing & Gong's search with Lowe's memoization, as in Porcupine: walk the history's call and
/// return events in time order; try to linearize each pending call; when a return is reached
/// whose call is not yet linearized, backtrack. A (linearized set, state) pair already seen is
/// never explored twice, which makes typical histories fast.
public enum Linearizability {
    /// Checks `history` against `model`. `maxSteps` bounds the search per partition (the
    /// problem is NP-complete in general); `nil` means unbounded.
    public static func check<M: Model>(
        history: [Operation<M.Input, M.Output>], model: M, maxSteps: Int? = 50_000_000
    ) -> CheckResult {
        var sawUnknown = false
        for (i, part) in model.partition(history).enumerated() {
            switch checkPartition(part, model: model, maxSteps: maxSteps) {
            case .linearizable: continue
            case .unknown: sawUnknown = true
            case .notLinearizable: return .notLinearizable(partition: i, operations: part.count)
            }
        }
        return sawUnknown ? .unknown : .linearizable
    }

    private struct Event {
        var isCall: Bool
        var op: Int
        var time: UInt64
    }

    private struct CacheKey<S: Hashable>: Hashable {
        var bits: [UInt64]
        var state: S
    }

    static func checkPartition<M: Model>(
        _ ops: [Operation<M.Input, M.Output>], model: M, maxSteps: Int?
    ) -> CheckResult {
        let n = ops.count
        if n == 0 { return .linearizable }

        // Events in time order; at equal times calls come first (treated as concurrent).
        var events: [Event] = []
        events.reserveCapacity(2 * n)
        for (i, op) in ops.enumerated() {
            events.append(Event(isCall: true, op: i, time: op.call))
            // A return before its call (a clock mix-up) is read as a return at the call.
            events.append(Event(isCall: false, op: i, time: max(op.return ?? UInt64.max, op.call)))
        }
        events.sort { a, b in
            if a.time != b.time { return a.time < b.time }
            if a.isCall != b.isCall { return a.isCall }
            return a.op < b.op
        }

        // A doubly linked list over events with a sentinel head at index `count`.
        let head = events.count
        var next = [Int](repeating: -1, count: events.count + 1)
        var prev = [Int](repeating: -1, count: events.count + 1)
        var returnPosition = [Int](repeating: -1, count: n)
        var callPosition = [Int](repeating: -1, count: n)
        var last = head
        for (pos, e) in events.enumerated() {
            next[last] = pos
            prev[pos] = last
            last = pos
            if e.isCall { callPosition[e.op] = pos } else { returnPosition[e.op] = pos }
        }

        func lift(_ pos: Int) {
            next[prev[pos]] = next[pos]
            if next[pos] != -1 { prev[next[pos]] = prev[pos] }
        }
        func unlift(_ pos: Int) {
            next[prev[pos]] = pos
            if next[pos] != -1 { prev[next[pos]] = pos }
        }

        var bits = [UInt64](repeating: 0, count: (n + 63) / 64)
        var cache = Set<CacheKey<M.State>>()
        var stack: [(op: Int, state: M.State)] = []
        var state = model.initialState()
        var cursor = next[head]
        var steps = 0

        while next[head] != -1 {
            steps += 1
            if let maxSteps, steps > maxSteps { return .unknown }
            let e = events[cursor]
            if e.isCall {
                let op = ops[e.op]
                let output = op.return == nil ? nil : op.output
                if let newState = model.step(state, input: op.input, output: output) {
                    bits[e.op >> 6] |= 1 << UInt64(e.op & 63)
                    if cache.insert(CacheKey(bits: bits, state: newState)).inserted {
                        stack.append((e.op, state))
                        state = newState
                        lift(cursor)
                        lift(returnPosition[e.op])
                        cursor = next[head]
                        continue
                    }
                    bits[e.op >> 6] &= ~(1 << UInt64(e.op & 63))
                }
                cursor = next[cursor]
            } else {
                // A return whose call is not linearized yet: undo the latest choice.
                guard let (op, previous) = stack.popLast() else {
                    return .notLinearizable(partition: 0, operations: n)
                }
                state = previous
                bits[op >> 6] &= ~(1 << UInt64(op & 63))
                unlift(returnPosition[op])
                unlift(callPosition[op])
                cursor = next[callPosition[op]]
            }
            // Pending operations (returned at "infinity") always leave a call before the end.
            if cursor == -1 {
                // Only possible when every remaining event is a call that cannot be linearized;
                // there is always the final return of some call behind it, so backtrack.
                guard let (op, previous) = stack.popLast() else {
                    return .notLinearizable(partition: 0, operations: n)
                }
                state = previous
                bits[op >> 6] &= ~(1 << UInt64(op & 63))
                unlift(returnPosition[op])
                unlift(callPosition[op])
                cursor = next[callPosition[op]]
            }
        }
        return .linearizable
    }
}
