import Linearizability
import Raft

/// What a simulated run does. Probabilities are per tick unless noted.
public struct SimulationOptions: Sendable {
    public var seed: UInt64
    public var nodes: Int = 3
    public var ticks: Int = 1500
    public var clients: Int = 4
    public var keys: Int = 3
    public var electionTick: Int = 20
    public var heartbeatTick: Int = 2
    /// Per message.
    public var dropRate: Double = 0.02
    public var duplicateRate: Double = 0.01
    /// Per message: delivered 1...maxDelay ticks late instead of within the tick (reordering).
    public var delayRate: Double = 0.3
    public var maxDelay: Int = 4
    public var crashRate: Double = 0.004
    public var restartRate: Double = 0.05
    public var partitionRate: Double = 0.004
    public var healRate: Double = 0.03
    public var transferRate: Double = 0.003
    public var membershipRate: Double = 0.0
    /// Per tick: how often the slowest nodes' clocks miss a tick (clocks run at different
    /// speeds, so leases and timeouts cannot be trusted across nodes).
    public var tickSkipRate: Double = 0.0
    /// Compact the log after this many applied entries past the last snapshot.
    public var snapshotEvery: UInt64 = 40
    /// A client gives up on a request after this many ticks (the request stays "pending").
    public var clientTimeout: Int = 80
    /// Share of reads served through ReadIndex rather than through the log.
    public var readIndexShare: Double = 0.7

    public init(seed: UInt64) { self.seed = seed }

    /// A varied schedule derived from the seed: cluster size, fault rates and membership changes.
    public static func varied(seed: UInt64) -> SimulationOptions {
        var r = SimulationRandom(seed: seed ^ 0xA5A5_A5A5)
        var o = SimulationOptions(seed: seed)
        o.nodes = r.chance(0.5) ? 3 : 5
        o.dropRate = [0.0, 0.02, 0.1][r.below(3)]
        o.duplicateRate = [0.0, 0.02][r.below(2)]
        o.delayRate = [0.1, 0.3, 0.6][r.below(3)]
        o.crashRate = [0.0, 0.004, 0.01][r.below(3)]
        o.partitionRate = [0.0, 0.004, 0.01][r.below(3)]
        o.transferRate = [0.0, 0.005][r.below(2)]
        o.membershipRate = r.chance(0.4) ? 0.01 : 0.0
        o.snapshotEvery = [15, 40, 1000][r.below(3)]
        // Sometimes messages linger longer than an election timeout: stale votes, appends and
        // responses from old terms arrive late.
        o.maxDelay = [4, 4, 30][r.below(3)]
        o.heartbeatTick = [1, 2, 3][r.below(3)]
        o.tickSkipRate = [0.0, 0.1, 0.4][r.below(3)]
        return o
    }
}

/// The outcome of one run.
public struct SimulationReport: Sendable {
    public var seed: UInt64
    public var options: SimulationOptions
    /// Safety violations, each with the tick it was seen at. Empty on success.
    public var violations: [String]
    public var linearizability: CheckResult
    /// Whether the healed cluster committed a final write (liveness after faults stop).
    public var recovered: Bool
    public var completedOperations = 0
    public var pendingOperations = 0
    public var leaderTerms = 0
    public var crashes = 0
    public var partitions = 0
    public var transfers = 0
    public var membershipChanges = 0
    public var snapshotsSent = 0
    public var messages = 0

    /// Each node's state at the end, when the run failed.
    public var diagnostics: [String] = []

    public var passed: Bool { violations.isEmpty && linearizability == .linearizable && recovered }

    public var summary: String {
        "seed \(seed): \(passed ? "ok" : "FAILED") nodes=\(options.nodes) ops=\(completedOperations)+\(pendingOperations) pending "
            + "leaders=\(leaderTerms) crashes=\(crashes) partitions=\(partitions) transfers=\(transfers) "
            + "confChanges=\(membershipChanges) snapshots=\(snapshotsSent) messages=\(messages) "
            + "linearizability=\(linearizability) recovered=\(recovered)"
            + (violations.isEmpty ? "" : "\n  " + violations.joined(separator: "\n  "))
            + (passed ? "" : "\n  " + diagnostics.joined(separator: "\n  "))
    }
}

/// A deterministic simulation of a Raft cluster in one process: a seeded scheduler drives ticks,
/// a simulated network (drops, delays, duplicates, reordering, partitions), crashes that lose
/// volatile state, membership changes and leader transfers, and clients running put/get against
/// a key-value state machine. Safety invariants are checked at every step, and the clients'
/// history is checked for linearizability at the end. The same seed replays the same run.
public final class Simulation {

    struct InFlight {
        var deliverAt: Int
        var message: Message
    }

    struct PendingRequest {
        var seq: UInt64
        var input: KVModel.Input
        var node: NodeID
        var startedAt: Int
        var history: Int
    }

    struct Client {
        var id: Int
        var seq: UInt64 = 0
        var pending: PendingRequest?
        var idleUntil = 0
        var guessLeader: NodeID = 0
    }

    let options: SimulationOptions
    var random: SimulationRandom
    var nodes: [NodeID: SimNode] = [:]
    /// Every node id ever created, in creation order (iteration must be deterministic).
    var order: [NodeID] = []
    var network: [InFlight] = []
    var partition: [NodeID: Int] = [:]
    var clients: [Client] = []
    var history: [KVOperation] = []
    var eventClock: UInt64 = 0
    var tick = 0
    let invariants = Invariants()
    var report: SimulationReport
    var nextNodeID: NodeID
    var valueCounter = 0

    public init(options: SimulationOptions) {
        self.options = options
        random = SimulationRandom(seed: options.seed)
        report = SimulationReport(seed: options.seed, options: options, violations: [], linearizability: .unknown, recovered: false)
        nextNodeID = NodeID(options.nodes + 1)
        invariants.now = { [unowned self] in "tick \(self.tick)" }
    }

    /// Runs the whole schedule and returns what happened.
    public func run() -> SimulationReport {
        let founders = (1...NodeID(options.nodes)).map { $0 }
        for id in founders {
            let node = SimNode(id: id)
            do {
                node.raw = try RawNode(config: node.config(seed: options.seed, electionTick: options.electionTick,
                                                           heartbeatTick: options.heartbeatTick),
                                       storage: node.storage, peers: founders)
            } catch {
                invariants.fail("node \(id) failed to start: \(error)")
            }
            nodes[id] = node
            order.append(id)
        }
        clients = (0..<options.clients).map { Client(id: $0) }

        while tick < options.ticks && invariants.violations.isEmpty {
            runTick(faults: true, clientsActive: true)
        }
        finish()
        return report
    }

    // MARK: The scheduler

    func runTick(faults: Bool, clientsActive: Bool) {
        tick += 1
        if faults { injectFaults() }
        for id in order {
            // Clocks run at different speeds: node 1 on time, others slower by up to the rate.
            let skip = options.tickSkipRate * Double((id - 1) % 3) / 2
            if !random.chance(skip) { nodes[id]?.raw?.tick() }
        }
        if clientsActive { driveClients() }
        expireClientRequests()
        var rounds = 0
        while rounds < 50 {
            rounds += 1
            var busy = false
            for id in order where processReady(id) { busy = true }
            // Every node's log is persisted at this point, so storage is the whole log.
            checkLeaders()
            if deliverDue() { busy = true }
            if !busy { break }
        }
    }

    /// Delivers the messages due now, in random order. Returns whether any were due.
    func deliverDue() -> Bool {
        var due: [InFlight] = []
        var rest: [InFlight] = []
        for m in network {
            if m.deliverAt <= tick { due.append(m) } else { rest.append(m) }
        }
        if due.isEmpty { return false }
        network = rest
        due.shuffle(using: &random)
        for f in due { deliver(f.message) }
        return true
    }

    func deliver(_ m: Message) {
        let reachable = partition[m.from, default: 0] == partition[m.to, default: 0]
        let target = nodes[m.to]
        let delivered = reachable && target?.isUp == true
        if let sender = nodes[m.from]?.raw {
            if m.type == .installSnapshot {
                sender.reportSnapshot(m.to, success: delivered)
            } else if !delivered && m.type == .appendEntries && random.chance(0.5) {
                // A transport notices a broken connection (but not every lost message).
                sender.reportUnreachable(m.to)
            }
        }
        guard delivered, let raw = target?.raw else { return }
        report.messages += 1
        if m.type == .installSnapshot { report.snapshotsSent += 1 }
        do {
            try raw.step(m)
        } catch {
            // stepPeerNotFound for responses from removed members is expected.
        }
    }

    func send(_ m: Message) {
        if random.chance(options.dropRate) { return }
        let copies = random.chance(options.duplicateRate) ? 2 : 1
        for _ in 0..<copies {
            let delay = random.chance(options.delayRate) ? 1 + random.below(options.maxDelay) : 0
            network.append(InFlight(deliverAt: tick + delay, message: m))
        }
    }

    // MARK: Ready handling: the caller's contract

    /// Persists, sends and applies one Ready of node `id`, in the order the contract requires.
    func processReady(_ id: NodeID) -> Bool {
        guard let node = nodes[id], let raw = node.raw, raw.hasReady() else { return false }
        let rd = raw.ready()

        // 1. Persist.
        if let s = rd.snapshot {
            do {
                try node.storage.applySnapshot(s)
                node.recordSnapshot(s, invariants: invariants)
            } catch {
                invariants.fail("node \(id) could not persist snapshot \(s.metadata.index): \(error)")
            }
        }
        do {
            try node.storage.append(rd.entries)
        } catch {
            invariants.fail("node \(id) could not persist entries: \(error)")
        }
        node.recordPersisted(rd.entries, invariants: invariants)
        if let hs = rd.hardState {
            node.storage.setHardState(hs)
        }
        if rd.mustSync || !rd.entries.isEmpty {
            node.syncedCommit = node.storage.hardState.commit
        }

        // 2. Send.
        for m in rd.messages { send(m) }

        // 3. Apply.
        if let s = rd.snapshot {
            node.machine = KVStateMachine(snapshotData: s.data)
            node.applied = s.metadata.index
            node.confState = s.metadata.confState
        }
        for e in rd.committedEntries {
            apply(e, at: node, raw: raw)
        }
        node.pendingReads.append(contentsOf: rd.readStates)
        serveReads(node)
        raw.advance(rd)
        maybeCompact(node)
        return true
    }

    func apply(_ e: Entry, at node: SimNode, raw: RawNode) {
        if e.index <= node.applied { return }
        invariants.observeApplied(e, node: node.id)
        node.applied = e.index
        switch e.kind {
        case .confChange:
            guard let cc = try? ConfChange(decoding: e.data) else {
                invariants.fail("node \(node.id) applied an undecodable conf change at \(e.index)")
                return
            }
            node.confState = raw.applyConfChange(cc)
        case .normal:
            guard !e.data.isEmpty else { return }
            guard let command = Command(decoding: e.data) else {
                invariants.fail("node \(node.id) applied an undecodable command at \(e.index)")
                return
            }
            let observed = node.machine.apply(command)
            let output: KVModel.Output = command.kind == .put ? .ok : .value(observed)
            complete(client: command.client, seq: command.seq, at: node.id, output: output)
        }
    }

    func serveReads(_ node: SimNode) {
        var waiting: [ReadState] = []
        for rs in node.pendingReads {
            if rs.index > node.applied {
                waiting.append(rs)
                continue
            }
            guard let (client, seq) = decodeReadContext(rs.requestContext),
                  client < clients.count, let pending = clients[client].pending, pending.seq == seq,
                  case .get(let key) = pending.input
            else { continue }
            complete(client: client, seq: seq, at: node.id, output: .value(node.machine.values[key]))
        }
        node.pendingReads = waiting
    }

    func maybeCompact(_ node: SimNode) {
        guard let first = try? node.storage.firstIndex() else { return }
        let snapshotIndex = first - 1
        guard node.applied >= snapshotIndex + options.snapshotEvery else { return }
        do {
            try node.storage.createSnapshot(index: node.applied, confState: node.confState, data: node.machine.snapshotData())
            // Keep a few entries so slightly lagging followers still get appends.
            let keep: UInt64 = 5
            if node.applied > snapshotIndex + keep {
                try node.storage.compact(to: node.applied - keep)
            }
        } catch {
            invariants.fail("node \(node.id) could not snapshot at \(node.applied): \(error)")
        }
    }

    // MARK: Invariant checks

    func checkLeaders() {
        for id in order {
            guard let node = nodes[id], let raw = node.raw else { continue }
            let st = raw.status
            guard st.softState.role == .leader else { continue }
            if invariants.observeLeader(id, term: st.hardState.term) {
                report.leaderTerms += 1
                invariants.checkLeaderCompleteness(leader: id, term: st.hardState.term, storage: node.storage)
            }
        }
    }
}
