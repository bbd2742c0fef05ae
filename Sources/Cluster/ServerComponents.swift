import ClusterClient
import Controllers
import Foundation
import Logging
import NodeAgent
import PKI
import Registry
import Scheduler
import ServiceLifecycle

/// The parts of `skiff server` that act on the API: the scheduler and the controller manager
/// (each only while it holds its leader lease), and the node agent. Each gets its own
/// `ClusterClient` with its own certificate and talks to the apiserver over HTTPS on loopback,
/// exactly as it would from another machine; none of them touches the store.
struct ServerComponents: Sendable {
    let options: ServerOptions
    let layout: DataDirectoryLayout
    let pki: ClusterPKI
    /// Resolves to the apiserver's URL once it listens (its port may be chosen at bind time).
    let apiServerURL: @Sendable () async throws -> String
    let registry: RegistryService
    let logger: Logger

    /// Lease names, as kube-scheduler and kube-controller-manager use them.
    static let schedulerLease = "kube-scheduler"
    static let controllerManagerLease = "kube-controller-manager"

    /// The services, in start order (shutdown runs in reverse: the agent stops first).
    func services() throws -> [any ServiceLifecycle.Service] {
        let schedulerIdentity = try pki.ensureClientCertificate(
            "kube-scheduler", user: "system:kube-scheduler", groups: [], logger: logger)
        let managerIdentity = try pki.ensureClientCertificate(
            "kube-controller-manager", user: "system:kube-controller-manager", groups: [], logger: logger)
        var services: [any ServiceLifecycle.Service] = [
            leaderElected(Self.schedulerLease, identity: schedulerIdentity) { client, logger in
                let informers = InformerFactory(client: client, logger: logger)
                let scheduler = PodScheduler(client: client, informers: informers, logger: logger)
                await scheduler.run()
            },
            leaderElected(Self.controllerManagerLease, identity: managerIdentity) { client, logger in
                let informers = InformerFactory(client: client, logger: logger)
                var managerOptions = ControllerManagerOptions()
                managerOptions.clusterCIDR = options.clusterCIDR
                let manager = ControllerManager(
                    client: client, informers: informers, options: managerOptions, logger: logger)
                await manager.run()
            },
        ]
        if options.agentEnabled {
            services.append(try agent())
        }
        return services
    }

    /// The node agent for the node named after this member.
    func agent() throws -> ComponentService {
        let nodeName = options.memberName
        let clientIdentity = try pki.ensureNodeClientCertificate(nodeName: nodeName, logger: logger)
        let servingIdentity = try pki.ensureKubeletServingCertificate(
            nodeName: nodeName, nodeAddresses: [options.nodeIP], logger: logger)
        var agentLogger = logger
        agentLogger[metadataKey: "component"] = "kubelet"
        let logger = agentLogger
        return ComponentService(name: "kubelet", logger: logger) { [registry, options, layout, pki] in
            let registryPort: Int?
            do {
                registryPort = try await registry.listeningPort()
            } catch {
                logger.error(
                    "the embedded registry is not running, so this node can only run images it already has; free 127.0.0.1:\(options.registryPort) or pass --registry-port",
                    metadata: ["error": "\(error)"])
                registryPort = nil
            }
            let configuration = AgentSettings(options: options, layout: layout).kubeletConfiguration(
                registryPort: registryPort, servingIdentity: servingIdentity, clientCAs: [pki.ca.certificate])
            try await withClient(identity: clientIdentity, userAgent: "skiff-kubelet/\(nodeName)") { client in
                let kubelet = try Kubelet(configuration: configuration, client: client, logger: logger)
                try await kubelet.run()
            }
        }
    }

    /// Runs `lead` only while this server holds `lease` in kube-system, so that of several
    /// servers exactly one schedules and one runs the controllers.
    func leaderElected(
        _ lease: String, identity: CertifiedKey,
        lead: @escaping @Sendable (ClusterClient, Logger) async -> Void
    ) -> ComponentService {
        var componentLogger = logger
        componentLogger[metadataKey: "component"] = "\(lease)"
        let logger = componentLogger
        let candidate = "\(options.memberName)_\(UUID().uuidString.prefix(8).lowercased())"
        return ComponentService(name: lease, logger: logger) {
            try await withClient(identity: identity, userAgent: "skiff-\(lease)") { client in
                let elector = LeaderElector(client: client, leaseName: lease, identity: candidate, logger: logger)
                await elector.run {
                    logger.info("became leader", metadata: ["identity": "\(candidate)"])
                    await lead(client, logger)
                }
            }
        }
    }

    /// A client of its own for one component, closed when `body` ends however it ends.
    func withClient(
        identity: CertifiedKey, userAgent: String, _ body: @Sendable (ClusterClient) async throws -> Void
    ) async throws {
        let connection = ClusterConnection(
            server: try await apiServerURL(), trustRoots: [pki.ca.certificate], identity: identity)
        let client = try ClusterClient(connection: connection, userAgent: userAgent, logger: logger)
        do {
            try await body(client)
        } catch {
            try? await client.shutdown()
            throw error
        }
        try? await client.shutdown()
    }
}
