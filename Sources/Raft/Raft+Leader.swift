/// The leader's side: accepting proposals, replicating the log with flow control, advancing the
/// commit index (§5.3, §5.4.2), confirming leadership for reads (§8 / thesis §6.4), and
/// handing leadership over (thesis §3.10).
extension Raft {
    func stepLeader(_ m: Message) throws(RaftError) {
        switch m.type {
        case .beat:
            broadcastHeartbeat(context: readOnly.lastPendingContext)
            return
        case .checkQuorum:
            if !tracker.quorumActive(selfID: id) {
                // Cut off from a majority: step down so clients look for the real leader.
                becomeFollower(term: term, leader: 0)
            }
            for peer in tracker.members where peer != id {
                tracker.progress[peer]?.recentActive = false
            }
            return
        case .propose:
            try propose(m)
            return
        case .readIndex:
            handleReadIndex(m)
            return
        default:
            break
        }

        guard let pr = tracker.progress[m.from] else { return }
        switch m.type {
        case .appendResponse:
            pr.recentActive = true
            if m.reject {
                var nextProbe = m.rejectHint
                if m.logTerm > 0 {
                    // Skip every entry of ours whose term cannot match the follower's.
                    nextProbe = log.findConflictByTerm(index: m.rejectHint, term: m.logTerm).index
                }
                if pr.maybeDecrease(rejected: m.index, matchHint: nextProbe) {
                    if pr.state == .replicate { pr.becomeProbe() }
                    sendAppend(to: m.from)
                }
            } else {
                let wasPaused = pr.isPaused
                if pr.maybeUpdate(m.index) {
                    switch pr.state {
                    case .probe:
                        pr.becomeReplicate()
                    case .snapshot where pr.match >= pr.pendingSnapshot:
                        pr.becomeProbe()
                        pr.becomeReplicate()
                    case .replicate:
                        pr.inflights.freeLE(m.index)
                    case .snapshot:
                        break
                    }
                    if maybeCommit() {
                        releasePendingReadIndexMessages()
                        broadcastAppend()
                    } else if wasPaused {
                        sendAppend(to: m.from)
                    }
                    // Fill the window: stream whatever else this follower lacks.
                    while maybeSendAppend(to: m.from, sendIfEmpty: false) {}
                    if m.from == leadTransferee && pr.match == log.lastIndex() {
                        send(Message(type: .timeoutNow, to: m.from))
                    }
                }
            }
        case .heartbeatResponse:
            pr.recentActive = true
            pr.probeSent = false
            if pr.state == .replicate && pr.inflights.isFull {
                // Acknowledgements may have been lost: let one more append through so the
                // stream cannot stall forever.
                pr.inflights.freeFirst()
            }
            if pr.match < log.lastIndex() || pr.state == .probe {
                // Also recovers appends lost in the replicate state: an empty append at our last
                // index is rejected by a follower that lacks entries, which resets the stream.
                sendAppend(to: m.from)
            }
            guard !m.context.isEmpty,
                  let acks = readOnly.receiveAck(from: m.from, context: m.context),
                  tracker.tally(acks).result == .won
            else { return }
            for status in readOnly.advance(through: m.context) {
                respondToReadIndex(status.request, index: status.index)
            }
        case .snapshotStatus:
            guard pr.state == .snapshot else { return }
            if m.reject { pr.pendingSnapshot = 0 }
            pr.becomeProbe()
            // Wait for the follower's answer (or a heartbeat reply) before probing again.
            pr.probeSent = true
        case .unreachable:
            if pr.state == .replicate { pr.becomeProbe() }
        case .transferLeader:
            if pr.isLearner { return }
            let transferee = m.from
            if leadTransferee != 0 {
                if leadTransferee == transferee { return }
                leadTransferee = 0
            }
            if transferee == id { return }
            // The transfer must finish within an election timeout.
            electionElapsed = 0
            leadTransferee = transferee
            if pr.match == log.lastIndex() {
                send(Message(type: .timeoutNow, to: transferee))
            } else {
                sendAppend(to: transferee)
            }
        default:
            break
        }
    }

    private func propose(_ m: Message) throws(RaftError) {
        precondition(!m.entries.isEmpty, "raft: empty proposal")
        guard tracker.progress[id] != nil else { throw .proposalDropped }  // removed from the group
        guard leadTransferee == 0 else { throw .proposalDropped }
        var entries = m.entries
        for i in entries.indices where entries[i].kind == .confChange {
            // One membership change at a time, and only after this leader committed an entry
            // of its own term (the fix for single-server changes across leader changes).
            if pendingConfIndex > log.applied || !committedEntryInCurrentTerm {
                throw .pendingConfChange
            }
            pendingConfIndex = log.lastIndex() + UInt64(i) + 1
        }
        for i in entries.indices { entries[i].term = 0 }
        appendEntries(entries)
        broadcastAppend()
    }

    /// Appends new entries of this term to the leader's own log and counts itself.
    func appendEntries(_ entries: [Entry]) {
        var ents = entries
        var index = log.lastIndex()
        for i in ents.indices {
            index += 1
            ents[i].term = term
            ents[i].index = index
        }
        let last = log.append(ents[...])
        _ = tracker.progress[id]?.maybeUpdate(last)
        // A single-voter group commits at once.
        _ = maybeCommit()
    }

    /// §5.3/§5.4.2: commit the highest index stored on a quorum, if it is of the current term.
    @discardableResult
    func maybeCommit() -> Bool {
        log.maybeCommit(index: tracker.committedIndex(), term: term)
    }

    var committedEntryInCurrentTerm: Bool {
        (try? log.term(log.committed)) == term
    }

    func broadcastAppend() {
        for peer in tracker.members where peer != id {
            sendAppend(to: peer)
        }
    }

    func sendAppend(to peer: NodeID) {
        _ = maybeSendAppend(to: peer, sendIfEmpty: true)
    }

    /// Sends the entries `peer` lacks, or a snapshot if they were compacted away.
    /// Returns whether a message was sent.
    @discardableResult
    func maybeSendAppend(to peer: NodeID, sendIfEmpty: Bool) -> Bool {
        guard let pr = tracker.progress[peer], !pr.isPaused else { return false }
        let prevIndex = pr.next - 1
        let prevTerm = try? log.term(prevIndex)
        var entries: [Entry] = []
        var entriesAvailable = true
        do {
            // In the probe state one entry is enough to test the match; don't ship a megabyte.
            entries = try log.entries(from: pr.next, maxBytes: pr.state == .replicate ? maxSizePerMsg : 0)
        } catch {
            entriesAvailable = false
        }
        if entries.isEmpty && !sendIfEmpty && entriesAvailable && prevTerm != nil { return false }

        guard let prevTerm, entriesAvailable else {
            return sendSnapshot(to: peer, progress: pr)
        }
        send(Message(type: .appendEntries, to: peer, logTerm: prevTerm, index: prevIndex,
                     entries: entries, commit: log.committed))
        pr.sentEntries(count: entries.count, lastIndex: entries.last?.index ?? prevIndex)
        return true
    }

    private func sendSnapshot(to peer: NodeID, progress pr: Progress) -> Bool {
        // Only to a follower that answered recently: a snapshot is expensive.
        guard pr.recentActive else { return false }
        guard let snapshot = try? log.snapshot(), !snapshot.isEmpty else { return false }
        send(Message(type: .installSnapshot, to: peer, snapshot: snapshot))
        pr.becomeSnapshot(snapshot.metadata.index)
        return true
    }

    func broadcastHeartbeat(context: [UInt8]) {
        for peer in tracker.members where peer != id {
            guard let pr = tracker.progress[peer] else { continue }
            // Never let a follower commit beyond what it is known to hold.
            send(Message(type: .heartbeat, to: peer, commit: min(pr.match, log.committed), context: context))
        }
    }

    // MARK: ReadIndex

    private func handleReadIndex(_ m: Message) {
        guard m.entries.count == 1 else { return }
        if tracker.voters == [id] {
            respondToReadIndex(m, index: log.committed)
            return
        }
        // Until an entry of this term commits, the leader's commit index may lag the true one.
        guard committedEntryInCurrentTerm else {
            pendingReadIndexMessages.append(m)
            return
        }
        startReadIndex(m)
    }

    private func startReadIndex(_ m: Message) {
        let context = m.entries[0].data
        readOnly.add(index: log.committed, request: m, context: context)
        _ = readOnly.receiveAck(from: id, context: context)
        broadcastHeartbeat(context: context)
    }

    func releasePendingReadIndexMessages() {
        guard committedEntryInCurrentTerm, !pendingReadIndexMessages.isEmpty else { return }
        let waiting = pendingReadIndexMessages
        pendingReadIndexMessages.removeAll()
        for m in waiting { startReadIndex(m) }
    }

    private func respondToReadIndex(_ request: Message, index: UInt64) {
        if request.from == 0 || request.from == id {
            readStates.append(ReadState(index: index, requestContext: request.entries[0].data))
        } else {
            send(Message(type: .readIndexResponse, to: request.from, index: index, entries: request.entries))
        }
    }
}
