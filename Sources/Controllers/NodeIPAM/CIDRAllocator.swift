/// An IPv4 network in CIDR notation (`10.42.0.0/16`).
struct IPv4CIDR: Sendable, Hashable, CustomStringConvertible {
    let address: UInt32
    let prefixLength: Int

    init(address: UInt32, prefixLength: Int) {
        self.prefixLength = prefixLength
        self.address = prefixLength == 0 ? 0 : address & (UInt32.max << UInt32(32 - prefixLength))
    }

    init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let prefix = Int(parts[1]), (0...32).contains(prefix) else { return nil }
        let octets = parts[0].split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var address: UInt32 = 0
        for octet in octets {
            guard let value = UInt8(octet) else { return nil }
            address = address << 8 | UInt32(value)
        }
        self.init(address: address, prefixLength: prefix)
    }

    var description: String {
        let octets = [24, 16, 8, 0].map { String((address >> UInt32($0)) & 0xff) }
        return octets.joined(separator: ".") + "/\(prefixLength)"
    }
}

/// Hands out fixed-size pod CIDRs (`/nodeMaskSize`) from the cluster CIDR: 10.42.0.0/16 with
/// /24 gives 10.42.0.0/24, 10.42.1.0/24, … The lowest free block is taken first, so a fresh
/// cluster numbers its nodes from 0 (as k3s does) and a freed block is reused.
struct CIDRAllocator: Sendable {
    enum ConfigurationError: Error, CustomStringConvertible {
        case invalidClusterCIDR(String)
        case invalidMaskSize(cluster: Int, node: Int)
        var description: String {
            switch self {
            case .invalidClusterCIDR(let text): return "cluster CIDR \"\(text)\" is not an IPv4 CIDR"
            case .invalidMaskSize(let cluster, let node):
                return "node CIDR mask size /\(node) must be longer than the cluster CIDR's /\(cluster) and at most /30"
            }
        }
    }

    let cluster: IPv4CIDR
    let nodeMaskSize: Int
    /// How many node blocks the cluster CIDR holds.
    let capacity: Int
    private var used: Set<Int> = []

    init(clusterCIDR: String, nodeMaskSize: Int) throws {
        guard let cluster = IPv4CIDR(clusterCIDR) else { throw ConfigurationError.invalidClusterCIDR(clusterCIDR) }
        guard nodeMaskSize > cluster.prefixLength, nodeMaskSize <= 30, nodeMaskSize - cluster.prefixLength <= 24 else {
            throw ConfigurationError.invalidMaskSize(cluster: cluster.prefixLength, node: nodeMaskSize)
        }
        self.cluster = cluster
        self.nodeMaskSize = nodeMaskSize
        self.capacity = 1 << (nodeMaskSize - cluster.prefixLength)
    }

    var allocatedCount: Int { used.count }

    /// The block index of `cidr`, if it is one of ours.
    private func index(of cidr: String) -> Int? {
        guard let block = IPv4CIDR(cidr), block.prefixLength == nodeMaskSize,
              IPv4CIDR(address: block.address, prefixLength: cluster.prefixLength) == cluster else { return nil }
        return Int((block.address - cluster.address) >> UInt32(32 - nodeMaskSize))
    }

    private func block(_ index: Int) -> String {
        IPv4CIDR(address: cluster.address + UInt32(index) << UInt32(32 - nodeMaskSize), prefixLength: nodeMaskSize).description
    }

    /// Records a block already assigned (rebuilding from existing nodes). Returns false when
    /// `cidr` is not a block of the cluster CIDR (then it is left alone).
    @discardableResult
    mutating func occupy(_ cidr: String) -> Bool {
        guard let index = index(of: cidr) else { return false }
        used.insert(index)
        return true
    }

    /// The lowest free block, now marked used; nil when the cluster CIDR is exhausted.
    mutating func allocate() -> String? {
        for index in 0..<capacity where !used.contains(index) {
            used.insert(index)
            return block(index)
        }
        return nil
    }

    mutating func release(_ cidr: String) {
        if let index = index(of: cidr) { used.remove(index) }
    }

    func isAllocated(_ cidr: String) -> Bool {
        index(of: cidr).map { used.contains($0) } ?? false
    }
}
