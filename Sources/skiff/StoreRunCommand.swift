import ArgumentParser
import Foundation
import Hummingbird
import KVStore
import Logging
import ServiceLifecycle

/// `skiff store run`: one store member in the foreground, with its HTTP/JSON endpoint.
struct StoreRun: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one member of the replicated store in the foreground.",
        discussion: """
            Start a new cluster by giving every founding member the same --initial-cluster.
            Add a member to a running cluster with --join (it joins as a learner and is promoted
            once it has caught up). On restart, the data directory decides who the member is.
            """)

    @Option(name: .long, help: "This member's name (unique in the cluster).")
    var name: String

    @Option(name: .long, help: "Directory for the write-ahead log, snapshots and member files.")
    var dataDir: String

    @Option(name: .long, help: "URL the HTTP/JSON client endpoint listens on.")
    var listenClient: String = "http://127.0.0.1:2379"

    @Option(name: .long, help: "host:port the peer (Raft) listener binds.")
    var listenPeer: String = "127.0.0.1:2380"

    @Option(name: .long, help: "Founding members: name=host:port,… (this member included).")
    var initialCluster: String?

    @Option(name: .long, help: "Client URL of a running member to join through, instead of --initial-cluster.")
    var join: String?

    @Option(name: .long, help: "Distinguishes clusters whose members have the same names.")
    var initialClusterToken: String = "skiff"

    @Option(name: .long, help: "Heartbeat interval in milliseconds (one Raft tick).")
    var heartbeatInterval: Int = 100

    @Option(name: .long, help: "Election timeout in milliseconds (a multiple of the heartbeat).")
    var electionTimeout: Int = 1000

    @Option(name: .long, help: "Snapshot the keyspace and compact the log every this many applied entries.")
    var snapshotCount: UInt64 = 10_000

    @Option(name: .long, help: "PEM certificate this member presents on the peer port (both directions; needs serverAuth and clientAuth).")
    var peerCertFile: String?

    @Option(name: .long, help: "PEM private key of --peer-cert-file.")
    var peerKeyFile: String?

    @Option(name: .long, help: "PEM CA that peers' certificates must chain to (mutual TLS on the peer port).")
    var peerTrustedCAFile: String?

    @Option(name: .long, help: "PEM certificate of the https:// client endpoint.")
    var certFile: String?

    @Option(name: .long, help: "PEM private key of --cert-file.")
    var keyFile: String?

    @Option(name: .long, help: "PEM CA to verify other members' https:// client endpoints with (--join).")
    var trustedCAFile: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func validate() throws {
        if (initialCluster == nil) == (join == nil) {
            throw ValidationError("give exactly one of --initial-cluster (new cluster) and --join (existing cluster)")
        }
        guard heartbeatInterval > 0 else { throw ValidationError("--heartbeat-interval must be positive, got \(heartbeatInterval)") }
        guard electionTimeout > heartbeatInterval, electionTimeout % heartbeatInterval == 0 else {
            throw ValidationError(
                "--election-timeout (\(electionTimeout) ms) must be a multiple of, and longer than, --heartbeat-interval (\(heartbeatInterval) ms)")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        _ = try clientAddress()
        if let join, !(join.hasPrefix("http://") || join.hasPrefix("https://")) {
            throw ValidationError("--join must be a client URL such as http://127.0.0.1:2379, got '\(join)'")
        }
        if snapshotCount == 0 { throw ValidationError("--snapshot-count must be positive") }
        let peerTLSFlags = [peerCertFile, peerKeyFile, peerTrustedCAFile].filter { $0 != nil }.count
        if peerTLSFlags != 0 && peerTLSFlags != 3 {
            throw ValidationError("peer TLS needs all of --peer-cert-file, --peer-key-file and --peer-trusted-ca-file")
        }
        if listenClient.hasPrefix("https://") != (certFile != nil && keyFile != nil) {
            throw ValidationError("an https:// --listen-client needs --cert-file and --key-file (and an http:// one neither)")
        }
        if let join, join.hasPrefix("https://"), trustedCAFile == nil {
            throw ValidationError("an https:// --join needs --trusted-ca-file to verify it")
        }
    }

    private func clientAddress() throws -> (host: String, port: Int) {
        guard listenClient.hasPrefix("http://") || listenClient.hasPrefix("https://") else {
            throw ValidationError("--listen-client must be an http:// or https:// URL, got '\(listenClient)'")
        }
        do {
            let address = try PeerAddress(parsing: listenClient)
            return (address.host, address.port)
        } catch {
            throw ValidationError("--listen-client: \(error)")
        }
    }

    func run() async throws {
        var logger = Logger(label: "skiff.kvstore")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
        var configuration: NodeConfiguration
        do {
            configuration = NodeConfiguration(
                name: name, dataDirectory: URL(fileURLWithPath: dataDir, isDirectory: true), clientURL: listenClient,
                peerAddress: try parsePeerAddress(listenPeer, flag: "--listen-peer"),
                initialCluster: try initialCluster.map(NodeConfiguration.parseInitialCluster) ?? [], join: join)
            configuration.clusterToken = initialClusterToken
            configuration.tickInterval = .milliseconds(heartbeatInterval)
            configuration.heartbeatTicks = 1
            configuration.electionTicks = electionTimeout / heartbeatInterval
            configuration.snapshotEvery = snapshotCount
            configuration.retainedEntries = min(5_000, snapshotCount)
            if let peerCertFile, let peerKeyFile, let peerTrustedCAFile {
                configuration.peerTLS = try PeerTLS(
                    certificateFile: peerCertFile, keyFile: peerKeyFile, trustedCAFile: peerTrustedCAFile)
            }
            if let trustedCAFile {
                configuration.clientTLS = try StoreTLSFiles.clientConfiguration(trustedCAFile: trustedCAFile)
            }
            try configuration.validate()
        } catch let error as NodeError {
            throw StoreCommandFailure("\(error)")
        } catch let error as PeerTLSError {
            throw StoreCommandFailure("\(error)")
        }

        let node = StoreNode(configuration: configuration, logger: logger, openStorage: StoreStorage.open)
        let (host, port) = try clientAddress()
        let app: any Service
        do {
            let tls = try certFile.flatMap { certFile in
                try keyFile.map { try StoreTLSFiles.serverConfiguration(certificateFile: certFile, keyFile: $0) }
            }
            app = try GatewayServer.application(
                store: node, admin: node, host: host, port: port, tls: tls, logger: logger)
        } catch {
            throw StoreCommandFailure("client endpoint: \(error)")
        }
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    .init(service: node, successTerminationBehavior: .gracefullyShutdownGroup,
                          failureTerminationBehavior: .gracefullyShutdownGroup),
                    .init(service: app, successTerminationBehavior: .gracefullyShutdownGroup,
                          failureTerminationBehavior: .gracefullyShutdownGroup),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            FileHandle.standardError.write(Data("skiff store run: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
