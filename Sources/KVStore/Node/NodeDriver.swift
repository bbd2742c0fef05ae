import Foundation
import Logging
import NIOCore
import Raft

/// The loop that drives one `RawNode`: it owns the Raft state, the log storage and the
/// apply cursor, and runs on one dedicated thread (`run()`), which is what keeps the
/// non-Sendable `RawNode` and storage confined. Everything else reaches it through the
/// mailbox in `NodeShared`.
///
/// One turn of the loop: take every queued input (messages, proposals, reads), tick if
/// due, then drain `Ready`s. Per Ready: apply the committed entries already on disk, persist
/// (one fsync for every entry of the batch), then send, then apply the rest; ReadIndex
/// answers release waiting reads; `advance`.
///
/// Everyone — the leader too — persists before sending. The Raft core counts the leader's
/// own entry as stored the moment it is appended, so a leader that sent first could commit
/// (and a follower acknowledge) an entry that only one member has on disk.
final class NodeDriver {
    private let id: NodeID
    private let raw: RawNode
    private let storage: any NodeLogStorage
    private let mvcc: MVCCStore
    private let transport: PeerTransport
    private let shared: NodeShared
    private let logger: Logger
    private let configuration: NodeConfiguration
    private let membersFile: URL

    private var members: MemberTable
    private var applied: UInt64
    private var snapshotIndex: UInt64
    /// The highest log index whose entry is on this member's disk (fsynced).
    private var durableIndex: UInt64
    private var softState = SoftState(leader: 0, role: .follower)
    private var term: UInt64 = 0
    private var commit: UInt64 = 0

    /// The ReadIndex round in flight: its context and the reads it serves.
    private var readRound: (context: UInt64, waiters: [UInt64], issued: ContinuousClock.Instant)?
    /// Reads that arrived after the round in flight was issued: they need the next round.
    private var queuedReads: [UInt64] = []
    /// Reads whose read index is known, waiting for it to be applied.
    private var readsAwaitingApply: [(index: UInt64, waiters: [UInt64])] = []
    private var nextReadContext: UInt64 = 1
    /// Set once this member applies (or hears of) its own removal: the loop then stops.
    private var removedSelf = false
    /// Ticks until this member may publish its client URL again (see `MemberAttributes`).
    private var attributesBackoff = 0
    /// Whether this process has seen its own client URL applied through the log. The local
    /// member table always shows it (it is seeded from the flags), the others' may not.
    private var attributesApplied = false
    /// Lease deadlines, kept while this member leads.
    private var leaseClock = LeaseClock()

    init(
        id: NodeID, raw: RawNode, storage: any NodeLogStorage, mvcc: MVCCStore, transport: PeerTransport,
        shared: NodeShared, members: MemberTable, applied: UInt64, configuration: NodeConfiguration,
        logger: Logger
    ) {
        self.id = id
        self.raw = raw
        self.storage = storage
        self.mvcc = mvcc
        self.transport = transport
        self.shared = shared
        self.members = members
        self.applied = applied
        self.snapshotIndex = applied
        self.durableIndex = (try? storage.lastIndex()) ?? applied
        self.configuration = configuration
        self.membersFile = configuration.dataDirectory.appendingPathComponent("members.json")
        self.logger = logger
    }

    /// Runs until `.stop` arrives or storage fails (which is fatal: the member must not go
    /// on with a log it cannot trust). Blocks the calling thread.
    func run() throws {
        let tick = configuration.tickInterval
        var nextTick = ContinuousClock.now + tick
        publishStatus()
        while true {
            let wait = ContinuousClock.now.duration(to: nextTick)
            let inputs = shared.mailbox.take(waitingAtMost: Self.seconds(wait))
            let now = ContinuousClock.now
            if now >= nextTick {
                raw.tick()
                nextTick = nextTick + tick
                if nextTick < now { nextTick = now + tick }
                retryStalledReadRound(now: now)
                shared.proposals.expire(now: now)
                shared.confChanges.expire(now: now)
                shared.reads.expire(now: now)
                shared.leases.expire(now: now)
                revokeExpiredLeases(now: now)
                publishAttributesIfNeeded()
                publishStatus()
            }
            for input in inputs {
                if case .stop = input { return }
                handle(input)
            }
            issueReadRound()
            while raw.hasReady() {
                try process(raw.ready())
            }
            if removedSelf {
                logger.notice("this member was removed from the cluster; stopping")
                return
            }
        }
    }

    /// Proposes this member's client URL once per start (founding members are known to the
    /// others only by peer address), retrying every election timeout until it is applied.
    private func publishAttributesIfNeeded() {
        if attributesBackoff > 0 {
            attributesBackoff -= 1
            return
        }
        guard !attributesApplied, softState.leader != 0, members.members[id] != nil else { return }
        attributesBackoff = configuration.electionTicks
        try? raw.propose(MemberAttributes(id: id, clientURL: configuration.clientURL).encoded())
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    // MARK: - Inputs

    private func handle(_ input: NodeInput) {
        switch input {
        case .message(let message):
            if members.removed.contains(message.from) { return }
            do {
                try raw.step(message)
            } catch {
                logger.debug("dropped peer message", metadata: ["from": "\(message.from)", "error": "\(error)"])
            }
        case .propose(let requestID, let data):
            do {
                try raw.propose(data)
            } catch {
                // Refused before entering any log: it can never commit, so retrying is safe.
                shared.proposals.resume(requestID, with: .failure(KVStoreError.noLeader("\(error)")))
            }
        case .proposeConfChange(let requestID, let change):
            do {
                try raw.proposeConfChange(change)
            } catch RaftError.pendingConfChange {
                shared.confChanges.resume(
                    requestID,
                    with: .failure(KVStoreError.failedPrecondition(
                        "another membership change is still in progress; retry when it has been applied")))
            } catch {
                shared.confChanges.resume(requestID, with: .failure(KVStoreError.noLeader("\(error)")))
            }
        case .read(let waiterID):
            queuedReads.append(waiterID)
        case .unreachable(let peer):
            raw.reportUnreachable(peer)
        case .snapshotStatus(let peer, let success):
            raw.reportSnapshot(peer, success: success)
        case .transferLeadership(let target):
            raw.transferLeadership(to: target)
        case .lease(let waiterID, let leaseID, let renew):
            let answer: LeaseAnswer
            let now = ContinuousClock.now
            if !leaseClock.active {
                answer = .notLeader(leader: softState.leader)
            } else if let granted = mvcc.lease(leaseID)?.ttl {
                if renew {
                    answer = leaseClock.keepAlive(leaseID, ttl: granted, now: now).map { .ttl(remaining: $0, granted: granted) }
                        ?? .notFound
                } else {
                    answer = leaseClock.remaining(leaseID, now: now).map { .ttl(remaining: $0, granted: granted) }
                        ?? .notFound
                }
            } else {
                answer = .notFound
            }
            shared.leases.resume(waiterID, with: .success(answer))
        case .removedNotice(let by):
            // Only a current member's word counts (and with peer TLS, only a peer can speak).
            guard members.members[by] != nil, by != id else { return }
            logger.notice("member \(String(by, radix: 16)) reports that this member was removed")
            removedSelf = true
        case .stop:
            break
        }
    }

    // MARK: - Reads

    /// Starts a ReadIndex round for every read queued since the last one; concurrent reads
    /// share one round (one heartbeat exchange for all of them).
    private func issueReadRound() {
        guard readRound == nil, !queuedReads.isEmpty else { return }
        let context = nextReadContext
        nextReadContext += 1
        readRound = (context, queuedReads, ContinuousClock.now)
        queuedReads.removeAll()
        raw.readIndex(context: readContext(context))
    }

    private func readContext(_ round: UInt64) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        withUnsafeBytes(of: id.littleEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: round.littleEndian) { bytes.append(contentsOf: $0) }
        return bytes
    }

    /// A round gets no answer when leadership changes under it: ask again (reads are
    /// idempotent, so repeating the round is always safe).
    private func retryStalledReadRound(now: ContinuousClock.Instant) {
        guard let round = readRound,
            round.issued.duration(to: now) > configuration.tickInterval * configuration.electionTicks
        else { return }
        let stillWaiting = round.waiters.filter { shared.reads.isWaiting($0) }
        readRound = nil
        queuedReads = stillWaiting + queuedReads
    }

    private func releaseReads() {
        guard !readsAwaitingApply.isEmpty else { return }
        var remaining: [(index: UInt64, waiters: [UInt64])] = []
        for batch in readsAwaitingApply {
            if batch.index <= applied {
                for waiter in batch.waiters { shared.reads.resume(waiter, with: .success(())) }
            } else {
                remaining.append(batch)
            }
        }
        readsAwaitingApply = remaining
    }

    // MARK: - Ready

    private func process(_ ready: Ready) throws {
        if let soft = ready.softState { updateSoftState(soft) }
        if let hardState = ready.hardState {
            term = hardState.term
            commit = hardState.commit
        }
        if let snapshot = ready.snapshot, !snapshot.isEmpty {
            try storage.applySnapshot(snapshot)
            try installSnapshot(snapshot)
            durableIndex = snapshot.metadata.index
        }
        // Committed entries already on this disk are applied before this Ready's fsync, so a
        // write's answer never waits for the fsync of the next batch behind it.
        var committed = ready.committedEntries[...]
        while let entry = committed.first, entry.index <= durableIndex {
            if entry.index > applied { try apply(entry) }
            committed = committed.dropFirst()
        }
        if ready.hardState != nil || !ready.entries.isEmpty {
            try storage.save(hardState: ready.hardState, entries: ready.entries, sync: ready.mustSync)
            if let last = ready.entries.last { durableIndex = last.index }
        }
        send(ready.messages)
        for entry in committed where entry.index > applied {
            try apply(entry)
        }
        for state in ready.readStates {
            if let round = readRound, state.requestContext == readContext(round.context) {
                readsAwaitingApply.append((state.index, round.waiters))
                readRound = nil
            }
        }
        releaseReads()
        raw.advance(ready)
        try maybeSnapshot()
        // Status readers need leadership changes at once; indexes may lag by one tick.
        if ready.softState != nil { publishStatus() }
    }

    private func updateSoftState(_ soft: SoftState) {
        if soft.leader != softState.leader {
            logger.info(
                "leader changed",
                metadata: ["leader": "\(String(soft.leader, radix: 16))", "role": "\(soft.role)"])
        }
        if soft.role == .leader && !leaseClock.active {
            leaseClock.start(leases: mvcc.leases, now: .now)
        } else if soft.role != .leader && leaseClock.active {
            leaseClock.stop()
        }
        softState = soft
    }

    /// On the leader: proposes the revoke of every lease past its deadline.
    private func revokeExpiredLeases(now: ContinuousClock.Instant) {
        for id in leaseClock.expired(now: now, retryAfter: configuration.tickInterval * configuration.electionTicks) {
            logger.debug("lease expired", metadata: ["lease": "\(id)"])
            // Request id 0: nobody waits for the outcome.
            try? raw.propose(StoreCommand.leaseRevoke(id: id).encoded(requestID: 0))
        }
    }

    private func send(_ messages: [Message]) {
        guard !messages.isEmpty else { return }
        var byPeer: [NodeID: [ByteBuffer]] = [:]
        for message in messages {
            if message.type == .installSnapshot {
                sendSnapshot(message)
                continue
            }
            byPeer[message.to, default: []].append(RaftMessageCodec.encode(message))
        }
        for (peer, frames) in byPeer {
            transport.send(to: peer, frames: frames)
        }
    }

    private func sendSnapshot(_ message: Message) {
        let mailbox = shared.mailbox
        let peer = message.to
        logger.info(
            "sending snapshot",
            metadata: ["peer": "\(String(peer, radix: 16))", "index": "\(message.snapshot?.metadata.index ?? 0)"])
        transport.send(to: peer, frames: [RaftMessageCodec.encode(message)]) { success in
            mailbox.post(.snapshotStatus(peer, success: success))
        }
    }

    // MARK: - Apply

    private func apply(_ entry: Entry) throws {
        switch entry.kind {
        case .normal:
            // Empty entries are the no-ops a new leader appends to commit its term.
            if MemberAttributes.isAttributes(entry.data) {
                applyAttributes(entry)
            } else if !entry.data.isEmpty {
                do {
                    let proposal = try StoreProposal(decoding: entry.data)
                    let result = mvcc.apply(proposal.command)
                    switch result {
                    case .leaseGrant(let leaseID, let ttl, _): leaseClock.granted(leaseID, ttl: ttl, now: .now)
                    case .leaseRevoke: if case .leaseRevoke(let leaseID) = proposal.command { leaseClock.revoked(leaseID) }
                    case .failed(.leaseNotFound):
                        if case .leaseRevoke(let leaseID) = proposal.command { leaseClock.revoked(leaseID) }
                    default: break
                    }
                    shared.proposals.resume(proposal.requestID, with: .success(result))
                } catch {
                    // Every member holds the same entry; skipping it keeps them identical.
                    logger.error(
                        "skipping undecodable log entry", metadata: ["index": "\(entry.index)", "error": "\(error)"])
                }
            }
        case .confChange:
            let change = try ConfChange(decoding: entry.data)
            let context = ConfChangeContext.decode(change.context)
            switch change.kind {
            case .addNode, .addLearner:
                var member =
                    context?.member ?? members.members[change.nodeID]
                    ?? MemberInfo(id: change.nodeID, name: "", peerURL: "")
                member.isLearner = change.kind == .addLearner
                members.members[change.nodeID] = member
                if change.nodeID != id, let address = try? PeerAddress(parsing: member.peerURL) {
                    transport.setPeer(change.nodeID, address: address)
                }
            case .removeNode:
                members.members.removeValue(forKey: change.nodeID)
                members.removed.insert(change.nodeID)
                if change.nodeID == id {
                    removedSelf = true
                } else {
                    // It may never learn the removal committed: tell it, then drop the link.
                    transport.send(to: change.nodeID, frames: [PeerNotice.removed(member: change.nodeID, by: id).encoded()])
                    transport.removePeer(change.nodeID)
                }
            }
            raw.applyConfChange(change)
            try members.save(to: membersFile)
            applied = entry.index
            publishStatus()
            logger.info(
                "membership changed",
                metadata: ["change": "\(change.kind)", "member": "\(String(change.nodeID, radix: 16))"])
            if let context { shared.confChanges.resume(context.requestID, with: .success(members)) }
        }
        applied = entry.index
    }

    private func applyAttributes(_ entry: Entry) {
        do {
            let attributes = try MemberAttributes(decoding: entry.data)
            if attributes.id == id && attributes.clientURL == configuration.clientURL { attributesApplied = true }
            guard var member = members.members[attributes.id], member.clientURL != attributes.clientURL else { return }
            member.clientURL = attributes.clientURL
            members.members[attributes.id] = member
            try members.save(to: membersFile)
            publishStatus()
        } catch {
            logger.error("skipping bad member attributes entry", metadata: ["index": "\(entry.index)", "error": "\(error)"])
        }
    }

    private func installSnapshot(_ snapshot: Snapshot) throws {
        let (table, keySpace) = try NodeSnapshotData.decode(snapshot.data)
        try mvcc.replaceContents(withSnapshot: keySpace)
        members = table
        try members.save(to: membersFile)
        for member in table.members.values where member.id != id {
            if let address = try? PeerAddress(parsing: member.peerURL) {
                transport.setPeer(member.id, address: address)
            }
        }
        applied = snapshot.metadata.index
        snapshotIndex = snapshot.metadata.index
        publishStatus()
        logger.info("installed snapshot from the leader", metadata: ["index": "\(snapshot.metadata.index)"])
    }

    /// Every `snapshotEvery` applied entries: snapshot the state machine, then drop the log
    /// behind it (keeping `retainedEntries` for followers that are only a little behind).
    private func maybeSnapshot() throws {
        guard applied >= snapshotIndex + configuration.snapshotEvery else { return }
        let data = NodeSnapshotData.encode(members: members, keySpace: mvcc.snapshotData())
        try storage.createSnapshot(index: applied, confState: raw.status.confState, data: data)
        snapshotIndex = applied
        if applied > configuration.retainedEntries {
            let compactTo = applied - configuration.retainedEntries
            if compactTo >= (try storage.firstIndex()) {
                try storage.compact(to: compactTo)
            }
        }
        logger.info("took snapshot", metadata: ["index": "\(applied)", "bytes": "\(data.count)"])
    }

    private func publishStatus() {
        let status = raw.status
        var match: [NodeID: UInt64] = [:]
        for (peer, progress) in status.progress { match[peer] = progress.match }
        let snapshot = NodeStatus(
            id: id, leader: softState.leader, role: softState.role, term: status.hardState.term,
            commitIndex: status.hardState.commit, appliedIndex: applied, lastIndex: status.lastIndex,
            members: members, matchIndex: match, isLearner: status.confState.learners.contains(id), running: true)
        shared.status.withLock { $0 = snapshot }
    }
}
