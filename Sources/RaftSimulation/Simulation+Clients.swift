import Linearizability
import Raft

/// Clients issuing put/get requests, recording invoke/return in a history.
extension Simulation {
    func nextEventTime() -> UInt64 {
        eventClock += 1
        return eventClock
    }

    func driveClients() {
        for i in clients.indices where clients[i].pending == nil && clients[i].idleUntil <= tick {
            if random.chance(0.5) { issue(client: i) }
        }
    }

    func issue(client i: Int) {
        let up = order.filter { nodes[$0]?.isUp == true }
        guard !up.isEmpty else { return }
        var target = clients[i].guessLeader
        if target == 0 || nodes[target]?.isUp != true || random.chance(0.5) {
            target = up[random.below(up.count)]
        }
        guard let node = nodes[target], let raw = node.raw else { return }
        clients[i].seq += 1
        let seq = clients[i].seq
        let key = "k\(random.below(options.keys))"
        let isPut = random.chance(0.5)
        let input: KVModel.Input
        if isPut {
            valueCounter += 1
            input = .put(key: key, value: "v\(valueCounter)")
        } else {
            input = .get(key: key)
        }
        let call = nextEventTime()
        var accepted = true
        switch input {
        case .put(_, let value):
            let command = Command(kind: .put, client: i, seq: seq, key: key, value: value)
            do { try raw.propose(command.encoded()) } catch { accepted = false }
        case .get:
            if random.chance(options.readIndexShare) {
                raw.readIndex(context: encodeReadContext(client: i, seq: seq))
            } else {
                let command = Command(kind: .get, client: i, seq: seq, key: key)
                do { try raw.propose(command.encoded()) } catch { accepted = false }
            }
        default:
            accepted = false
        }
        if !accepted {
            // Refused outright (no leader known): it certainly did not happen; not recorded.
            clients[i].idleUntil = tick + 3
            clients[i].guessLeader = raw.status.softState.leader
            return
        }
        history.append(Operation(clientID: i, input: input, output: nil, call: call, return: nil))
        clients[i].pending = PendingRequest(seq: seq, input: input, node: target, startedAt: tick, history: history.count - 1)
        clients[i].guessLeader = raw.status.softState.leader
    }

    /// A node reports a result for a client's request.
    func complete(client: Int, seq: UInt64, at node: NodeID, output: KVModel.Output) {
        guard client < clients.count, let pending = clients[client].pending, pending.seq == seq, pending.node == node
        else { return }
        history[pending.history].output = output
        history[pending.history].return = nextEventTime()
        clients[client].pending = nil
        clients[client].idleUntil = tick + random.below(3)
        report.completedOperations += 1
    }

    /// Requests that took too long are abandoned: they stay in the history as never returned,
    /// because they may still take effect later.
    func expireClientRequests() {
        for i in clients.indices {
            guard let pending = clients[i].pending, tick - pending.startedAt > options.clientTimeout else { continue }
            clients[i].pending = nil
            clients[i].guessLeader = 0
            report.pendingOperations += 1
        }
    }

    /// Stops faults, heals and restarts everything, checks the cluster commits a final write,
    /// and checks the history.
    func finish() {
        if invariants.violations.isEmpty {
            partition.removeAll()
            for id in order where nodes[id]?.isUp == false { restart(id) }
            // Let the cluster settle, then require a write to complete.
            let deadline = tick + 40 * options.electionTick
            let probe = clients.count
            clients.append(Client(id: probe))
            while tick < deadline && invariants.violations.isEmpty && !report.recovered {
                runTick(faults: false, clientsActive: false)
                if clients[probe].pending == nil {
                    if let last = history.last, last.clientID == probe, last.return != nil {
                        report.recovered = true
                        break
                    }
                    issueFinalWrite(client: probe)
                }
            }
        }
        report.violations = invariants.violations
        // Let every still-running request count as pending.
        for c in clients where c.pending != nil { report.pendingOperations += 1 }
        report.linearizability = Linearizability.check(history: history, model: KVModel())
        if !report.passed { report.diagnostics = describeNodes() }
    }

    private func issueFinalWrite(client i: Int) {
        guard let leader = currentLeader, let raw = nodes[leader]?.raw else { return }
        clients[i].seq += 1
        let seq = clients[i].seq
        valueCounter += 1
        let command = Command(kind: .put, client: i, seq: seq, key: "k0", value: "final\(valueCounter)")
        let call = nextEventTime()
        guard (try? raw.propose(command.encoded())) != nil else { return }
        history.append(Operation(clientID: i, input: .put(key: "k0", value: command.value), output: nil,
                                 call: call, return: nil))
        clients[i].pending = PendingRequest(seq: seq, input: history[history.count - 1].input, node: leader,
                                            startedAt: tick, history: history.count - 1)
    }
}

extension Simulation {
    func describeNodes() -> [String] {
        order.compactMap { id -> String? in
            guard let node = nodes[id] else { return nil }
            guard let raw = node.raw else { return "node \(id): down" }
            let st = raw.status
            var line = "node \(id): \(st.softState.role) term=\(st.hardState.term) vote=\(st.hardState.vote) "
                + "leader=\(st.softState.leader) last=\(st.lastIndex) commit=\(st.hardState.commit) applied=\(st.applied) "
                + "voters=\(st.confState.voters) learners=\(st.confState.learners) "
                + "first=\((try? node.storage.firstIndex()) ?? 0)"
            for (peer, p) in st.progress.sorted(by: { $0.key < $1.key }) {
                line += " [\(peer): \(p.state) match=\(p.match) next=\(p.next) active=\(p.recentActive)]"
            }
            return line
        } + ["in flight: \(network.count) messages, tick \(tick)"]
    }
}

func encodeReadContext(client: Int, seq: UInt64) -> [UInt8] {
    var out: [UInt8] = [0x52]
    append(&out, UInt64(client))
    append(&out, seq)
    return out
}

func decodeReadContext(_ bytes: [UInt8]) -> (Int, UInt64)? {
    guard bytes.count == 17, bytes[0] == 0x52 else { return nil }
    return (Int(read(bytes, 1)), read(bytes, 9))
}
