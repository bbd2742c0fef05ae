import Raft

/// A synchronous in-memory cluster for unit tests: each node persists its Ready to a
/// `MemoryStorage` exactly as the contract says, and messages are delivered in FIFO order
/// unless a link is cut or a message type is dropped.
final class TestCluster {
    final class Node {
        let id: NodeID
        var storage: MemoryStorage
        var raw: RawNode
        var applied: [Entry] = []
        var readStates: [ReadState] = []
        var config: RaftConfig

        init(id: NodeID, storage: MemoryStorage, raw: RawNode, config: RaftConfig) {
            self.id = id
            self.storage = storage
            self.raw = raw
            self.config = config
        }
    }

    var nodes: [NodeID: Node] = [:]
    var ids: [NodeID]
    var queue: [Message] = []
    /// Links (from, to) that drop everything.
    var cut: Set<[NodeID]> = []
    var dropTypes: Set<MessageType> = []
    /// Returns false to drop a message.
    var filter: (Message) -> Bool = { _ in true }
    /// Every message ever sent, for assertions.
    var sent: [Message] = []

    init(size: Int, preVote: Bool = true, checkQuorum: Bool = true, electionTick: Int = 10,
         configure: (inout RaftConfig) -> Void = { _ in }) throws {
        ids = (1...UInt64(size)).map { $0 }
        for id in ids {
            var config = RaftConfig(id: id, electionTick: electionTick, heartbeatTick: 1, checkQuorum: checkQuorum,
                                    preVote: preVote, randomSeed: id * 7919)
            configure(&config)
            let storage = MemoryStorage()
            let raw = try RawNode(config: config, storage: storage, peers: ids)
            nodes[id] = Node(id: id, storage: storage, raw: raw, config: config)
        }
        try settle()
    }

    func node(_ id: NodeID) -> Node {
        guard let n = nodes[id] else { fatalError("no node \(id)") }
        return n
    }

    /// Adds a brand-new empty node (for membership tests); it learns everything from the leader.
    func addEmptyNode(_ id: NodeID, configure: (inout RaftConfig) -> Void = { _ in }) throws {
        var config = RaftConfig(id: id, electionTick: 10, heartbeatTick: 1, randomSeed: id * 7919)
        configure(&config)
        let storage = MemoryStorage()
        nodes[id] = Node(id: id, storage: storage, raw: try RawNode(config: config, storage: storage), config: config)
        ids.append(id)
    }

    /// Processes every node's Ready per the contract and delivers messages until quiet.
    func settle(maxRounds: Int = 10_000) throws {
        for _ in 0..<maxRounds {
            var progressed = false
            for id in ids {
                if try handleReady(id) { progressed = true }
            }
            if !queue.isEmpty {
                let batch = queue
                queue.removeAll()
                for m in batch { deliver(m) }
                progressed = true
            }
            if !progressed { return }
        }
    }

    private func deliver(_ m: Message) {
        guard let target = nodes[m.to] else { return }
        if cut.contains([m.from, m.to]) || dropTypes.contains(m.type) || !filter(m) { return }
        try? target.raw.step(m)
    }

    @discardableResult
    func handleReady(_ id: NodeID) throws -> Bool {
        let n = node(id)
        guard n.raw.hasReady() else { return false }
        let rd = n.raw.ready()
        if let hs = rd.hardState { n.storage.setHardState(hs) }
        if let s = rd.snapshot { try n.storage.applySnapshot(s) }
        try n.storage.append(rd.entries)
        for m in rd.messages {
            sent.append(m)
            queue.append(m)
        }
        for e in rd.committedEntries {
            n.applied.append(e)
            if e.kind == .confChange {
                n.raw.applyConfChange(try ConfChange(decoding: e.data))
            }
        }
        n.readStates.append(contentsOf: rd.readStates)
        n.raw.advance(rd)
        return true
    }

    func tick(_ id: NodeID, times: Int = 1) throws {
        for _ in 0..<times {
            node(id).raw.tick()
        }
        try settle()
    }

    /// Ticks every node together.
    func tickAll(_ times: Int = 1) throws {
        for _ in 0..<times {
            for id in ids { node(id).raw.tick() }
            try settle()
        }
    }

    func isolate(_ id: NodeID) {
        for other in ids where other != id {
            cut.insert([id, other])
            cut.insert([other, id])
        }
    }

    func heal() { cut.removeAll() }

    /// Makes `id` leader by campaigning and delivering.
    func elect(_ id: NodeID) throws {
        try node(id).raw.campaign()
        try settle()
    }

    /// Messages of `type` sent since index `since` of `sent`.
    func sentMessages(_ type: MessageType, to: NodeID? = nil, since: Int = 0) -> [Message] {
        sent[since...].filter { $0.type == type && (to == nil || $0.to == to) }
    }

    func role(_ id: NodeID) -> Role { node(id).raw.status.softState.role }
    func term(_ id: NodeID) -> UInt64 { node(id).raw.status.hardState.term }

    var leaders: [NodeID] { ids.filter { node($0).raw.status.softState.role == .leader } }

    func appliedData(_ id: NodeID) -> [[UInt8]] {
        node(id).applied.filter { $0.kind == .normal && !$0.data.isEmpty }.map(\.data)
    }
}
