import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOPosix
import Raft
import ServiceLifecycle
import Synchronization

/// One member of the replicated store, as a swift-service-lifecycle `Service`.
///
/// `run()` fixes the member's identity (joining a running cluster if asked), opens its log,
/// binds the peer listener and starts the node loop (`NodeDriver`) on a dedicated thread;
/// it returns after a graceful shutdown, and throws if the loop fails (a storage error).
/// The member serves the store in process through `KeyValueStore` and `StoreAdministration`
/// (see `StoreNode+KeyValueStore.swift`); `GatewayRoutes` puts the same on HTTP.
public final class StoreNode: Service, Sendable {
    public let configuration: NodeConfiguration
    let logger: Logger
    let group: any EventLoopGroup
    let shared: NodeShared
    let mvcc: MVCCStore
    let clusterID: UInt64
    /// Opens the durable log in the data directory. Returns the storage and a human
    /// description of what recovery found (logged at start).
    let openStorage: @Sendable (URL, Logger) throws -> (any NodeLogStorage, String)

    public init(
        configuration: NodeConfiguration,
        logger: Logger = Logger(label: "skiff.kvstore"),
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        openStorage: @escaping @Sendable (URL, Logger) throws -> (any NodeLogStorage, String)
    ) {
        self.configuration = configuration
        self.logger = logger
        self.group = group
        self.shared = NodeShared(nodeID: MemberID.derive(name: configuration.name, clusterToken: configuration.clusterToken))
        self.mvcc = MVCCStore()
        self.clusterID = MemberID.derive(name: "", clusterToken: configuration.clusterToken)
        self.openStorage = openStorage
    }

    /// Stops the node loop (outside a ServiceGroup; inside one, graceful shutdown does this).
    public func stop() {
        shared.mailbox.post(.stop)
    }

    /// The member's current view (leader, term, indexes, members).
    public var status: NodeStatus { shared.status.withLock { $0 } }

    public func run() async throws {
        try configuration.validate()
        let directory = configuration.dataDirectory
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw NodeError.io(operation: "create data directory", path: directory.path, detail: "\(error)")
        }
        let lock = try DataDirectoryLock.acquire(directory: directory.path)
        defer { lock.release() }
        let (identity, members) = try await resolveIdentity()
        if members.removed.contains(identity.id) {
            throw NodeError.removed
        }
        var logger = self.logger
        logger[metadataKey: "member"] = "\(identity.name)/\(String(identity.id, radix: 16))"

        let mailbox = shared.mailbox
        let transport = PeerTransport(
            localID: identity.id, group: group, logger: logger, tls: configuration.peerTLS,
            onFrame: { frame in
                do {
                    if PeerNotice.isNotice(frame) {
                        if case .removed(let member, let by) = try PeerNotice.decode(frame), member == identity.id {
                            mailbox.post(.removedNotice(by: by))
                        }
                    } else {
                        mailbox.post(.message(try RaftMessageCodec.decode(frame)))
                    }
                } catch {
                    // A frame that does not decode is dropped; Raft retransmits.
                }
            },
            onUnreachable: { peer in mailbox.post(.unreachable(peer)) })
        for member in members.members.values where member.id != identity.id {
            if let address = try? PeerAddress(parsing: member.peerURL) {
                transport.setPeer(member.id, address: address)
            }
        }
        try await transport.listen(on: configuration.peerAddress)
        logger.info("listening for peers", metadata: ["address": "\(configuration.peerAddress)"])

        let loopResult: Task<Void, any Error>
        do {
            loopResult = try await startLoop(identity: identity, members: members, transport: transport, logger: logger)
        } catch {
            // Recovery failed (e.g. a corrupt WAL): release the listener before reporting it.
            await shutdown(transport)
            throw error
        }
        if identity.joined {
            Task { await self.promoteWhenCaughtUp(id: identity.id, logger: logger) }
        }
        // Stop on graceful shutdown, or when the loop ends by itself (a fatal error).
        do {
            try await withGracefulShutdownHandler {
                try await loopResult.value
            } onGracefulShutdown: {
                mailbox.post(.stop)
            }
        } catch {
            logger.critical("store member failed", metadata: ["error": "\(error)"])
            await shutdown(transport)
            throw error
        }
        await shutdown(transport)
        logger.info("store member stopped")
    }

    private func shutdown(_ transport: PeerTransport) async {
        shared.status.withLock { $0.running = false }
        await transport.shutdown()
        shared.proposals.failAll(KVStoreError.unknownOutcome("the member stopped before the write was applied"))
        shared.confChanges.failAll(KVStoreError.unknownOutcome("the member stopped before the change was applied"))
        shared.reads.failAll(KVStoreError.stopped("the member stopped"))
        mvcc.watchHub.cancelAll()
    }

    /// Starts the node loop thread. The returned task completes when the loop ends. The
    /// function itself returns once recovery is done (or throws the recovery error).
    private func startLoop(
        identity: NodeIdentity, members: MemberTable, transport: PeerTransport, logger: Logger
    ) async throws -> Task<Void, any Error> {
        let (startup, startupContinuation) = AsyncThrowingStream<Void, any Error>.makeStream()
        let (finished, finishedContinuation) = AsyncThrowingStream<Void, any Error>.makeStream()
        let configuration = self.configuration
        let mvcc = self.mvcc
        let shared = self.shared
        let openStorage = self.openStorage
        let thread = Thread {
            do {
                let driver = try Self.makeDriver(
                    identity: identity, members: members, configuration: configuration, mvcc: mvcc,
                    transport: transport, shared: shared, openStorage: openStorage, logger: logger)
                startupContinuation.finish()
                try driver.run()
                finishedContinuation.finish()
            } catch {
                startupContinuation.finish(throwing: error)
                finishedContinuation.finish(throwing: error)
            }
        }
        thread.name = "skiff-store-node"
        thread.start()
        for try await _ in startup {}
        return Task {
            for try await _ in finished {}
        }
    }

    /// Opens storage, recovers the state machine and builds the Raft node. Runs on the loop
    /// thread, which then owns everything it creates.
    private static func makeDriver(
        identity: NodeIdentity, members: MemberTable, configuration: NodeConfiguration, mvcc: MVCCStore,
        transport: PeerTransport, shared: NodeShared,
        openStorage: @Sendable (URL, Logger) throws -> (any NodeLogStorage, String), logger: Logger
    ) throws -> NodeDriver {
        let (storage, report) = try openStorage(configuration.dataDirectory, logger)
        logger.info("log recovered", metadata: ["report": "\(report)"])
        var members = members
        let snapshot = try storage.snapshot()
        if !snapshot.isEmpty {
            let (table, keySpace) = try NodeSnapshotData.decode(snapshot.data)
            try mvcc.replaceContents(withSnapshot: keySpace)
            members = table.members.isEmpty ? members : table
        }
        let (hardState, _) = try storage.initialState()
        let fresh = try storage.lastIndex() == 0 && hardState.isEmpty && snapshot.isEmpty
        let peers: [NodeID] = fresh && !identity.joined ? members.members.keys.sorted() : []
        let raftConfiguration = RaftConfig(
            id: identity.id, electionTick: configuration.electionTicks, heartbeatTick: configuration.heartbeatTicks,
            applied: snapshot.metadata.index,
            // A fixed seed (the default derives it from the id) would give a member the same
            // election timeouts in every life; a real cluster wants them independent.
            randomSeed: UInt64.random(in: 1...UInt64.max))
        let raw = try RawNode(config: raftConfiguration, storage: storage, peers: peers)
        let lastIndex = try storage.lastIndex()
        logger.info(
            "store member starting",
            metadata: [
                "bootstrap": "\(!peers.isEmpty)", "snapshotIndex": "\(snapshot.metadata.index)",
                "lastIndex": "\(lastIndex)", "term": "\(hardState.term)",
            ])
        return NodeDriver(
            id: identity.id, raw: raw, storage: storage, mvcc: mvcc, transport: transport, shared: shared,
            members: members, applied: snapshot.metadata.index, configuration: configuration, logger: logger)
    }

    // MARK: - Identity

    private func resolveIdentity() async throws -> (NodeIdentity, MemberTable) {
        let directory = configuration.dataDirectory
        let identityFile = directory.appendingPathComponent("member.json")
        let membersFile = directory.appendingPathComponent("members.json")
        if let identity = try NodeIdentity.load(from: identityFile) {
            if identity.name != configuration.name {
                throw NodeError.invalidConfiguration(
                    "data directory \(directory.path) belongs to member '\(identity.name)', not '\(configuration.name)'")
            }
            let members = try MemberTable.load(from: membersFile) ?? initialMembers()
            return (identity, members)
        }
        if let join = configuration.join {
            return try await joinCluster(through: join, identityFile: identityFile, membersFile: membersFile)
        }
        let identity = NodeIdentity(
            id: MemberID.derive(name: configuration.name, clusterToken: configuration.clusterToken),
            name: configuration.name, clusterToken: configuration.clusterToken, joined: false)
        let members = initialMembers()
        try members.save(to: membersFile)
        try identity.save(to: identityFile)
        return (identity, members)
    }

    private func initialMembers() -> MemberTable {
        var table = MemberTable()
        for (name, address) in configuration.initialCluster {
            let id = MemberID.derive(name: name, clusterToken: configuration.clusterToken)
            table.members[id] = MemberInfo(
                id: id, name: name, peerURL: address.description,
                clientURL: name == configuration.name ? configuration.clientURL : "")
        }
        return table
    }

    private func joinCluster(through endpoint: String, identityFile: URL, membersFile: URL) async throws
        -> (NodeIdentity, MemberTable)
    {
        let response: KV.MemberAddResponse
        do {
            response = try await withGatewayClient(endpoint) { client in
                try await client.memberAdd(
                    KV.MemberAddRequest(
                        peerURLs: [configuration.peerAddress.description], isLearner: true, name: configuration.name,
                        clientURL: configuration.clientURL))
            }
        } catch {
            throw NodeError.joinFailed("member add through \(endpoint) failed: \(error)")
        }
        guard let added = response.member, added.id != 0 else {
            throw NodeError.joinFailed("\(endpoint) did not return the new member's id")
        }
        var table = MemberTable()
        for member in response.members {
            table.members[member.id] = MemberInfo(
                id: member.id, name: member.name ?? "", peerURL: member.peerURLs.first ?? "",
                clientURL: member.clientURLs.first ?? "", isLearner: member.isLearner)
        }
        let identity = NodeIdentity(
            id: added.id, name: configuration.name, clusterToken: configuration.clusterToken, joined: true)
        try table.save(to: membersFile)
        try identity.save(to: identityFile)
        logger.info("joined the cluster as a learner", metadata: ["id": "\(String(added.id, radix: 16))"])
        return (identity, table)
    }

    /// A learner asks to be promoted once it has applied everything it knows is committed.
    private func promoteWhenCaughtUp(id: NodeID, logger: Logger) async {
        guard let join = configuration.join else { return }
        try? await withGatewayClient(join) { client in
            await promoteWhenCaughtUp(id: id, client: client, logger: logger)
        }
    }

    private func promoteWhenCaughtUp(id: NodeID, client: GatewayClient, logger: Logger) async {
        while !Task.isCancelled {
            let status = self.status
            guard status.running else { return }
            if !status.members.members.isEmpty && status.members.members[id]?.isLearner == false { return }
            if status.leader != 0 && status.appliedIndex > 0 && status.appliedIndex >= status.commitIndex {
                do {
                    _ = try await client.memberPromote(id: id)
                    logger.info("promoted to voting member")
                    return
                } catch {
                    logger.debug("promotion not possible yet", metadata: ["error": "\(error)"])
                }
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// Runs `body` with a client of another member's endpoint: the shared HTTP client for
    /// http://, or one verifying with `clientTLS` (shut down afterwards) for https://.
    func withGatewayClient<T: Sendable>(
        _ endpoint: String, _ body: (GatewayClient) async throws -> T
    ) async throws -> T {
        guard endpoint.hasPrefix("https://") else { return try await body(GatewayClient(endpoints: [endpoint])) }
        guard let tls = configuration.clientTLS else {
            throw NodeError.invalidConfiguration("\(endpoint) is https but no CA was given to verify it")
        }
        let http = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: .init(tlsConfiguration: tls))
        do {
            let result = try await body(GatewayClient(endpoints: [endpoint], httpClient: http))
            try? await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }
}
