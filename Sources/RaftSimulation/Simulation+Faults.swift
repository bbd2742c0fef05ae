import Raft

/// Crashes and restarts, partitions and heals, leader transfers and membership changes.
extension Simulation {
    var liveVoters: [NodeID] {
        guard let leader = currentLeader, let node = nodes[leader] else { return [] }
        return node.confState.voters.sorted()
    }

    var currentLeader: NodeID? {
        var best: (NodeID, UInt64)?
        for id in order {
            guard let st = nodes[id]?.raw?.status, st.softState.role == .leader else { continue }
            if best == nil || st.hardState.term > (best?.1 ?? 0) { best = (id, st.hardState.term) }
        }
        return best?.0
    }

    func injectFaults() {
        let up = order.filter { nodes[$0]?.isUp == true }
        let down = order.filter { nodes[$0]?.isUp == false }
        let maxDown = (options.nodes - 1) / 2
        if down.count < maxDown, !up.isEmpty, random.chance(options.crashRate) {
            crash(up[random.below(up.count)])
        }
        for id in down where random.chance(options.restartRate) {
            restart(id)
        }
        if partition.isEmpty {
            if random.chance(options.partitionRate) { makePartition() }
        } else if random.chance(options.healRate) {
            partition.removeAll()
        }
        if random.chance(options.transferRate), let leader = currentLeader, let raw = nodes[leader]?.raw {
            let candidates = liveVoters.filter { $0 != leader }
            if !candidates.isEmpty {
                raw.transferLeadership(to: candidates[random.below(candidates.count)])
                report.transfers += 1
            }
        }
        if random.chance(options.membershipRate) { changeMembership() }
    }

    func crash(_ id: NodeID) {
        guard let node = nodes[id], node.isUp else { return }
        node.crash()
        report.crashes += 1
        // Messages it already sent stay on the wire; its unsynced state is dropped at restart.
    }

    func restart(_ id: NodeID) {
        guard let node = nodes[id], !node.isUp else { return }
        node.restarts += 1
        let storage = node.storage
        do {
            let snapshot = try storage.snapshot()
            var hs = storage.hardState
            // Commit-only hard state updates were written without fsync: the crash lost them.
            let lastIndex = try storage.lastIndex()
            hs.commit = min(max(node.syncedCommit, snapshot.metadata.index), max(hs.commit, snapshot.metadata.index))
            if hs.commit > lastIndex {
                invariants.fail("node \(id) persisted commit \(hs.commit) beyond its last index \(lastIndex)")
                return
            }
            storage.setHardState(hs)
            node.machine = KVStateMachine(snapshotData: snapshot.data)
            node.applied = snapshot.metadata.index
            node.confState = snapshot.metadata.confState
            node.raw = try RawNode(config: node.config(seed: options.seed, electionTick: options.electionTick,
                                                       heartbeatTick: options.heartbeatTick),
                                   storage: storage)
        } catch {
            invariants.fail("node \(id) failed to restart: \(error)")
        }
    }

    func makePartition() {
        report.partitions += 1
        // Split the nodes into two random non-empty sides.
        var sides: [NodeID: Int] = [:]
        for id in order { sides[id] = random.below(2) }
        if Set(sides.values).count < 2, let first = order.first { sides[first] = 1 - (sides[first] ?? 0) }
        partition = sides
    }

    /// Cycles the voter count between `nodes` and `nodes + 1`: add a fresh learner, promote it
    /// once caught up, remove a random voter (possibly the leader).
    func changeMembership() {
        guard let leader = currentLeader, let node = nodes[leader], let raw = node.raw else { return }
        let status = raw.status
        let cs = node.confState
        let cc: ConfChange
        if let learner = cs.learners.first {
            guard let p = status.progress[learner], p.match + 5 >= status.lastIndex else { return }
            cc = ConfChange(kind: .addNode, nodeID: learner)
        } else if cs.voters.count > options.nodes {
            let victim = cs.voters.sorted()[random.below(cs.voters.count)]
            cc = ConfChange(kind: .removeNode, nodeID: victim)
        } else {
            let id = nextNodeID
            let fresh = SimNode(id: id)
            do {
                fresh.raw = try RawNode(config: fresh.config(seed: options.seed, electionTick: options.electionTick,
                                                             heartbeatTick: options.heartbeatTick),
                                        storage: fresh.storage)
            } catch {
                invariants.fail("new node \(id) failed to start: \(error)")
                return
            }
            cc = ConfChange(kind: .addLearner, nodeID: id)
            do {
                try raw.proposeConfChange(cc)
            } catch {
                return
            }
            nextNodeID += 1
            nodes[id] = fresh
            order.append(id)
            report.membershipChanges += 1
            return
        }
        do {
            try raw.proposeConfChange(cc)
            report.membershipChanges += 1
        } catch {
            // A change is still pending: try again later.
        }
    }
}
