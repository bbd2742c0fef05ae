/// The ordered set of keys in the keyspace: a list of sorted blocks of at most
/// `blockCapacity` keys (the layout of Python's sortedcontainers). A lookup is two binary
/// searches (block, then key), an insert or removal shifts one block, and a range scan walks
/// consecutive blocks: O(log n + k) for k keys returned, with none of a balanced tree's
/// per-node allocations. swift-collections has no released sorted container to reuse.
struct SortedKeySet {
    private var blocks: [[[UInt8]]] = []
    private(set) var count = 0
    private let blockCapacity: Int

    init(blockCapacity: Int = 512) {
        precondition(blockCapacity >= 4)
        self.blockCapacity = blockCapacity
    }

    /// Builds the set from keys already in strictly ascending order (snapshot restore).
    init(sortedKeys: [[UInt8]], blockCapacity: Int = 512) {
        self.init(blockCapacity: blockCapacity)
        let half = blockCapacity / 2
        var start = 0
        while start < sortedKeys.count {
            let end = min(start + half, sortedKeys.count)
            blocks.append(Array(sortedKeys[start..<end]))
            start = end
        }
        count = sortedKeys.count
    }

    /// Index of the first block whose last key is ≥ `key` (blocks.count if none).
    private func blockIndex(for key: [UInt8]) -> Int {
        var low = 0, high = blocks.count
        while low < high {
            let mid = (low + high) / 2
            if let last = blocks[mid].last, keyLess(last, key) { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Index in `block` of the first key ≥ `key`.
    private static func position(of key: [UInt8], in block: [[UInt8]]) -> Int {
        var low = 0, high = block.count
        while low < high {
            let mid = (low + high) / 2
            if keyLess(block[mid], key) { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// Inserts `key`; returns false if it was present.
    @discardableResult
    mutating func insert(_ key: [UInt8]) -> Bool {
        if blocks.isEmpty {
            blocks.append([key])
            count = 1
            return true
        }
        var b = blockIndex(for: key)
        if b == blocks.count { b -= 1 }  // larger than every key: append to the last block
        let i = Self.position(of: key, in: blocks[b])
        if i < blocks[b].count, blocks[b][i] == key { return false }
        blocks[b].insert(key, at: i)
        count += 1
        if blocks[b].count > blockCapacity {
            let half = blocks[b].count / 2
            let upper = Array(blocks[b][half...])
            blocks[b].removeSubrange(half...)
            blocks.insert(upper, at: b + 1)
        }
        return true
    }

    /// Removes `key`; returns false if it was absent.
    @discardableResult
    mutating func remove(_ key: [UInt8]) -> Bool {
        let b = blockIndex(for: key)
        guard b < blocks.count else { return false }
        let i = Self.position(of: key, in: blocks[b])
        guard i < blocks[b].count, blocks[b][i] == key else { return false }
        blocks[b].remove(at: i)
        count -= 1
        if blocks[b].isEmpty { blocks.remove(at: b) }
        return true
    }

    /// Calls `body` with each key in `interval`, ascending, until it returns false.
    func forEach(in interval: KeyInterval, _ body: ([UInt8]) -> Bool) {
        var b = blockIndex(for: interval.lower)
        guard b < blocks.count else { return }
        var i = Self.position(of: interval.lower, in: blocks[b])
        while b < blocks.count {
            let block = blocks[b]
            while i < block.count {
                let key = block[i]
                if interval.isSingleKey {
                    if key == interval.lower { _ = body(key) }
                    return
                }
                if let upper = interval.upper, !keyLess(key, upper) { return }
                if !body(key) { return }
                i += 1
            }
            b += 1
            i = 0
        }
    }

    /// All keys ascending (snapshot serialization).
    func forEach(_ body: ([UInt8]) -> Void) {
        for block in blocks { for key in block { body(key) } }
    }
}
