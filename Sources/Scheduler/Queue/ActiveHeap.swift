/// A binary min-heap of the active queue's order (higher priority, then earlier timestamp)
/// with lazy deletion: entries carry a sequence number, and an entry whose number no longer
/// matches the pod's current one is skipped when it surfaces. Keeps pop O(log n) with ten
/// thousand pods waiting.
struct ActiveHeap: Sendable {
    struct Item: Sendable {
        var key: String
        var priority: Int64
        var timestamp: ContinuousClock.Instant
        var sequence: UInt64
    }

    private var items: [Item] = []

    var isEmpty: Bool { items.isEmpty }

    static func before(_ a: Item, _ b: Item) -> Bool {
        if a.priority != b.priority { return a.priority > b.priority }
        if a.timestamp != b.timestamp { return a.timestamp < b.timestamp }
        return a.sequence < b.sequence
    }

    mutating func push(_ item: Item) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard Self.before(items[child], items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popFirst() -> Item? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let first = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1, right = left + 1
            var best = parent
            if left < items.count && Self.before(items[left], items[best]) { best = left }
            if right < items.count && Self.before(items[right], items[best]) { best = right }
            if best == parent { break }
            items.swapAt(parent, best)
            parent = best
        }
        return first
    }
}
