import Raft

/// Membership and maintenance: changes go through the log as `ConfChange` entries (one at a
/// time, Raft thesis §4.1) whose context carries the new member's address.
extension StoreNode: StoreAdministration {
    public func memberList() async throws -> KV.MemberListResponse {
        try await readBarrier()
        return KV.MemberListResponse(header: header(revision: mvcc.currentRevision), members: wireMembers(status.members))
    }

    public func memberAdd(_ request: KV.MemberAddRequest) async throws -> KV.MemberAddResponse {
        guard let peerURL = request.peerURLs.first, request.peerURLs.count == 1 else {
            throw KVStoreError.invalidArgument("member add needs exactly one peer URL, got \(request.peerURLs.count)")
        }
        let address: PeerAddress
        do {
            address = try PeerAddress(parsing: peerURL)
        } catch {
            throw KVStoreError.invalidArgument("\(error)")
        }
        if status.members.members.values.contains(where: { (try? PeerAddress(parsing: $0.peerURL)) == address }) {
            throw KVStoreError.failedPrecondition("etcdserver: peerURL exists (\(address))")
        }
        var id = MemberID.random()
        while status.members.removed.contains(id) || status.members.members[id] != nil { id = MemberID.random() }
        let member = MemberInfo(
            id: id, name: request.name ?? "", peerURL: address.description, clientURL: request.clientURL ?? "",
            isLearner: request.isLearner)
        let table = try await proposeMembership(
            kind: request.isLearner ? .addLearner : .addNode, id: id, member: member)
        return KV.MemberAddResponse(
            header: header(revision: mvcc.currentRevision), member: Self.wire(member), members: wireMembers(table))
    }

    public func memberRemove(id: UInt64) async throws -> KV.MemberListResponse {
        guard status.members.members[id] != nil else {
            throw KVStoreError.notFound("etcdserver: member not found (\(String(id, radix: 16)))")
        }
        let table = try await proposeMembership(kind: .removeNode, id: id, member: nil)
        return KV.MemberListResponse(header: header(revision: mvcc.currentRevision), members: wireMembers(table))
    }

    public func memberPromote(id: UInt64) async throws -> KV.MemberListResponse {
        let current = status
        guard var member = current.members.members[id] else {
            throw KVStoreError.notFound("etcdserver: member not found (\(String(id, radix: 16)))")
        }
        guard member.isLearner else {
            throw KVStoreError.failedPrecondition("etcdserver: can only promote a learner member")
        }
        // Promoting a learner that is far behind would stall commits until it catches up.
        if current.role == .leader {
            let match = current.matchIndex[id] ?? 0
            if match + 100 < current.commitIndex {
                throw KVStoreError.failedPrecondition(
                    "etcdserver: can only promote a learner member which is in sync with leader (learner at \(match), commit \(current.commitIndex))")
            }
        }
        member.isLearner = false
        let table = try await proposeMembership(kind: .addNode, id: id, member: member)
        return KV.MemberListResponse(header: header(revision: mvcc.currentRevision), members: wireMembers(table))
    }

    public func status() async throws -> KV.StatusResponse {
        let current = status
        return KV.StatusResponse(
            header: header(revision: mvcc.currentRevision), version: "3.4.0-skiff", dbSize: Int64(mvcc.keyCount),
            leader: current.leader, raftIndex: current.lastIndex, raftTerm: current.term,
            raftAppliedIndex: current.appliedIndex, isLearner: current.isLearner)
    }

    public func snapshot() -> AsyncThrowingStream<KV.SnapshotChunk, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    try await self.readBarrier()
                    let image = StoreSnapshotImage.encode(keySpace: self.mvcc.snapshotData())
                    let header = self.header(revision: self.mvcc.currentRevision)
                    let chunkSize = 1 << 20
                    var offset = 0
                    repeat {
                        let end = min(image.count, offset + chunkSize)
                        continuation.yield(
                            KV.SnapshotChunk(
                                header: header, remainingBytes: UInt64(image.count - end), blob: Array(image[offset..<end])))
                        offset = end
                    } while offset < image.count
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private func proposeMembership(kind: ConfChange.Kind, id: NodeID, member: MemberInfo?) async throws -> MemberTable {
        guard status.running else { throw KVStoreError.stopped("not running") }
        let requestID = shared.nextRequestID()
        let change = ConfChange(kind: kind, nodeID: id, context: ConfChangeContext(requestID: requestID, member: member).encoded())
        let mailbox = shared.mailbox
        return try await shared.confChanges.wait(
            requestID, timeout: configuration.requestTimeout,
            timeoutError: KVStoreError.timeout("the membership change was not applied within the request timeout")
        ) {
            mailbox.post(.proposeConfChange(requestID: requestID, change: change))
        }
    }

    private func wireMembers(_ table: MemberTable) -> [KV.Member] {
        table.sorted.map(Self.wire)
    }

    static func wire(_ member: MemberInfo) -> KV.Member {
        KV.Member(
            id: member.id, name: member.name, peerURLs: member.peerURL.isEmpty ? [] : ["http://\(member.peerURL)"],
            clientURLs: member.clientURL.isEmpty ? [] : [member.clientURL], isLearner: member.isLearner)
    }
}
