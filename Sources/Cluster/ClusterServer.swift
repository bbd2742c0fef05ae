import APIServer
import Foundation
import Hummingbird
import KVStore
import Logging
import PKI
import Registry
import ServiceLifecycle

/// What a started server tells its caller once kubectl can reach it.
public struct ServerReady: Sendable, Hashable {
    /// The apiserver's URL as the admin kubeconfig names it.
    public var url: String
    /// Path of the admin kubeconfig (context `skiff-<cluster>`).
    public var kubeconfigPath: String
    public var port: Int
}

/// `skiff server` as one object: the data directory, the cluster PKI, a store member, its
/// HTTP/JSON endpoint, the apiserver, the embedded registry, the scheduler and the controller
/// manager (each under a leader lease) and, unless disabled, a node agent, run in one
/// `ServiceGroup` that shuts down in reverse order (agent first, store last) on SIGINT/SIGTERM.
///
/// The apiserver talks to the store member in process, through the same `KeyValueStore`
/// protocol it would use against a remote store; with `--initial-cluster`/`--join` the member
/// is one of several and writes go through Raft to the leader.
public struct ClusterServer: Sendable {
    public let options: ServerOptions
    public let layout: DataDirectoryLayout
    let logger: Logger

    public init(options: ServerOptions, logger: Logger = Logger(label: "skiff.server")) throws {
        try options.validate()
        self.options = options
        self.layout = DataDirectoryLayout(root: options.dataDirectory)
        self.logger = logger
    }

    /// Runs until SIGINT/SIGTERM (or a part fails); `onReady` is called once, when the
    /// apiserver listens, the store answers and the admin kubeconfig is written.
    public func run(onReady: @escaping @Sendable (ServerReady) -> Void) async throws {
        try createDataDirectory()
        let pidFile = PIDFile(path: layout.pidFile)
        try pidFile.claim()
        defer { pidFile.release() }
        let pki = try ClusterPKI.loadOrCreate(
            dataDirectory: layout.root,
            options: PKIOptions(nodeName: options.memberName, nodeAddresses: servingAddresses()),
            logger: logger)
        let token = try TokenFile.loadOrCreate(dataDirectory: layout.root)

        let node = StoreNode(
            configuration: try storeConfiguration(), logger: logger, openStorage: StoreStorage.open)
        let storeClient = try PeerAddress(parsing: options.storeClientURL)
        let gateway = Application(
            router: GatewayRoutes.router(store: node, admin: node, logger: logger),
            configuration: .init(address: .hostname(storeClient.host, port: storeClient.port), serverName: nil),
            logger: logger)

        let apiServer = APIServer(
            configuration: APIServerConfiguration(
                host: options.apiBindAddress,
                port: options.apiPort,
                tls: try TLSConfigurations.server(
                    identity: pki.apiServer, trustRoots: [pki.ca.certificate], clientCertificates: .optional),
                clientCA: [pki.ca.certificate],
                tokenAuthenticator: StaticTokenAuthenticator(users: [token: Self.tokenUser]),
                kubeletClientIdentity: try pki.ensureAPIServerKubeletClientCertificate(logger: logger),
                kubeletTrustRoots: [pki.ca.certificate]),
            store: node, logger: logger)

        let registry = RegistryService(
            root: layout.registry, host: "127.0.0.1", port: options.registryPort, logger: logger)
        let clientHost = Self.clientHost(forBindAddress: options.apiBindAddress)
        let components = try ServerComponents(
            options: options, layout: layout, pki: pki,
            apiServerURL: { "https://\(clientHost):\(try await apiServer.listeningPort())" },
            registry: registry, logger: logger
        ).services()

        let readiness = ReadinessReporter(
            apiServer: apiServer, store: node, pki: pki, clusterName: options.clusterName,
            host: clientHost,
            kubeconfigPath: layout.adminKubeconfig, logger: logger, onReady: onReady)

        func entry(_ service: any Service, onSuccess: ServiceGroupConfiguration.ServiceConfiguration.TerminationBehavior)
            -> ServiceGroupConfiguration.ServiceConfiguration
        {
            .init(service: service, successTerminationBehavior: onSuccess, failureTerminationBehavior: .gracefullyShutdownGroup)
        }
        // Started in this order, shut down in reverse: the agent, controllers and scheduler
        // stop first, then the reporter and the apiserver, and the store they read from last.
        let group = ServiceGroup(
            configuration: .init(
                services: [
                    entry(node, onSuccess: .gracefullyShutdownGroup),
                    entry(gateway, onSuccess: .gracefullyShutdownGroup),
                    // A registry that cannot bind (another server on this machine holds the
                    // port) is logged, not fatal: the control plane works without it.
                    .init(service: registry, successTerminationBehavior: .gracefullyShutdownGroup,
                          failureTerminationBehavior: .ignore),
                    entry(apiServer, onSuccess: .gracefullyShutdownGroup),
                    entry(readiness, onSuccess: .ignore),
                ] + components.map { entry($0, onSuccess: .ignore) },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        if !options.agentEnabled {
            logger.info("node agent disabled (--disable-agent)")
        }
        try await group.run()
    }

    /// The identity the cluster token authenticates as. Authorization lets every authenticated
    /// user do everything until RBAC exists; the token is the seam `skiff agent --token` uses.
    static let tokenUser = AuthenticatedUser(name: "skiff:token", groups: ["system:authenticated"])

    func createDataDirectory() throws {
        do {
            try FileManager.default.createDirectory(
                atPath: layout.root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ClusterError.startup("cannot create the data directory \(layout.root): \(error.localizedDescription)")
        }
    }

    func storeConfiguration() throws -> NodeConfiguration {
        do {
            let peer = try PeerAddress(parsing: options.storePeerAddress)
            let initial: [(name: String, address: PeerAddress)]
            if options.join != nil {
                initial = []
            } else if let text = options.initialCluster {
                initial = try NodeConfiguration.parseInitialCluster(text)
            } else {
                initial = [(options.memberName, peer)]
            }
            var configuration = NodeConfiguration(
                name: options.memberName, dataDirectory: URL(fileURLWithPath: layout.store, isDirectory: true),
                clientURL: options.storeClientURL, peerAddress: peer, initialCluster: initial, join: options.join)
            configuration.clusterToken = options.storeClusterToken ?? options.clusterName
            configuration.tickInterval = .milliseconds(options.heartbeatIntervalMilliseconds)
            configuration.heartbeatTicks = 1
            configuration.electionTicks = options.electionTimeoutMilliseconds / options.heartbeatIntervalMilliseconds
            configuration.snapshotEvery = options.snapshotCount
            configuration.retainedEntries = min(5_000, options.snapshotCount)
            try configuration.validate()
            return configuration
        } catch let error as NodeError {
            throw ClusterError.invalidOption("\(error)")
        } catch let error as PeerAddressError {
            throw ClusterError.invalidOption("\(error)")
        }
    }

    /// Addresses besides loopback the serving certificate must name: the bind address when it
    /// is a specific one.
    func servingAddresses() -> [String] {
        Self.isWildcard(options.apiBindAddress) || options.apiBindAddress == "127.0.0.1" ? [] : [options.apiBindAddress]
    }

    /// The host a local client dials: loopback for a wildcard bind.
    static func clientHost(forBindAddress address: String) -> String {
        if address == "::" { return "[::1]" }
        if isWildcard(address) { return "127.0.0.1" }
        return address.contains(":") ? "[\(address)]" : address
    }

    static func isWildcard(_ address: String) -> Bool {
        address == "0.0.0.0" || address == "::" || address.isEmpty
    }
}
