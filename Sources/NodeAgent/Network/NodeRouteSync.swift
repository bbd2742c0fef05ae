#if canImport(Glibc)
import Glibc
#endif
import APIModel
import ClusterClient
import Foundation
import LinuxSystem
import Logging

/// Pure L3 between nodes: a route to every other node's pod CIDR through that node's
/// InternalIP, kept in step with the Node objects; IP forwarding on.
///
/// Routes are changed with the `ip` command: iproute2 is installed with skiff anyway, the
/// changes are rare (a node joins or leaves), and `ip route replace` is idempotent, so a
/// netlink client would add code without adding anything a user could notice. The routes
/// added are recorded in `<data>/network/routes.json`, so a restarted agent removes those
/// that went stale while it was down, and never touches routes it did not add.
public final class NodeRouteSync: Sendable {
    let configuration: KubeletConfiguration
    let client: ClusterClient
    let informer: SharedInformer
    let logger: Logger
    /// Tests run the sync inside a network namespace of their own (nil: the node's).
    let networkNamespace: String?
    let resyncInterval: Duration

    public convenience init(configuration: KubeletConfiguration, client: ClusterClient, informers: InformerFactory,
                            logger: Logger = Logger(label: "skiff.routes")) {
        self.init(configuration: configuration, client: client, informers: informers, logger: logger,
                  networkNamespace: nil, resyncInterval: .seconds(10))
    }

    init(configuration: KubeletConfiguration, client: ClusterClient, informers: InformerFactory, logger: Logger,
         networkNamespace: String?, resyncInterval: Duration) {
        self.configuration = configuration
        self.client = client
        self.informer = informers.informer(for: .nodes)
        self.logger = logger
        self.networkNamespace = networkNamespace
        self.resyncInterval = resyncInterval
    }

    /// A route this sync maintains: destination pod CIDR through a node's address.
    struct Route: Codable, Hashable, Sendable, Comparable {
        var destination: String
        var gateway: String
        static func < (a: Route, b: Route) -> Bool { (a.destination, a.gateway) < (b.destination, b.gateway) }
    }

    static func stateFile(_ configuration: KubeletConfiguration) -> String { configuration.dataDirectory + "/network/routes.json" }
    var stateFile: String { Self.stateFile(configuration) }

    /// Runs until cancelled; removes the routes it added when it ends.
    public func run() async {
        do {
            try await enableForwarding()
        } catch {
            logger.error("cannot enable IP forwarding: \(error)")
        }
        let (changes, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        informer.addHandler(InformerHandler(onAdd: { _ in continuation.yield() },
                                            onUpdate: { _, _ in continuation.yield() },
                                            onDelete: { _ in continuation.yield() }))
        // Running the informer here is harmless when its factory runs it too (a second run
        // only waits), and makes node changes arrive at once when nobody else does.
        let informer = self.informer
        let watching = Task { await informer.run() }
        let interval = resyncInterval
        let ticker = Task {
            while !Task.isCancelled {
                continuation.yield()
                try? await Task.sleep(for: interval)
            }
        }
        var installed = Set(Self.loadState(stateFile))
        await withTaskCancellationHandler {
            for await _ in changes {
                if Task.isCancelled { break }
                installed = await reconcile(installed: installed)
            }
        } onCancel: {
            continuation.finish()
        }
        ticker.cancel()
        watching.cancel()
        // Cancelled: take every route we added away again.
        for route in installed.sorted() { try? await removeRoute(route) }
        try? Files.removeTree(stateFile)
    }

    /// Brings the routes to the desired set, returns what is installed now.
    func reconcile(installed: Set<Route>) async -> Set<Route> {
        guard let nodes = await currentNodes() else { return installed }
        let desired = Set(Self.desiredRoutes(nodes: nodes, ownNodeName: configuration.nodeName, ownAddress: configuration.nodeIP))
        var now = installed
        for route in installed.subtracting(desired).sorted() {
            do {
                try await removeRoute(route)
                now.remove(route)
                logger.info("removed route to \(route.destination) via \(route.gateway)")
            } catch {
                logger.warning("cannot remove route to \(route.destination) via \(route.gateway): \(error)")
            }
        }
        for route in desired.sorted() {
            do {
                // `replace` every time: it repairs a route someone else changed or removed.
                try await ip(["route", "replace", route.destination, "via", route.gateway])
                if now.insert(route).inserted { logger.info("added route to \(route.destination) via \(route.gateway)") }
            } catch {
                logger.warning("cannot add route to \(route.destination) via \(route.gateway): \(error)")
            }
        }
        if now != installed { saveState(now) }
        return now
    }

    /// Nodes from the shared informer once synced, else straight from the apiserver (so
    /// routes appear even when nobody runs the informer factory).
    private func currentNodes() async -> [JSONValue]? {
        if informer.hasSynced { return informer.list() }
        do {
            return try await client.list(.nodes).items
        } catch {
            logger.debug("cannot list nodes: \(error)")
            return nil
        }
    }

    /// Every other node's IPv4 pod CIDRs through its InternalIP.
    static func desiredRoutes(nodes: [JSONValue], ownNodeName: String, ownAddress: String) -> [Route] {
        var routes: [Route] = []
        for node in nodes where node.name != ownNodeName {
            let addresses = node["status"]?["addresses"]?.arrayValue ?? []
            guard let internalIP = addresses.first(where: { $0["type"]?.stringValue == "InternalIP"
                && !($0["address"]?.stringValue ?? ":").contains(":") })?["address"]?.stringValue,
                  internalIP != ownAddress else { continue }
            var cidrs = (node["spec"]?["podCIDRs"]?.arrayValue ?? []).compactMap(\.stringValue)
            if cidrs.isEmpty, let single = node["spec"]?["podCIDR"]?.stringValue { cidrs = [single] }
            for cidr in cidrs where CNIPodSandboxes.isIPv4CIDR(cidr) {
                routes.append(Route(destination: cidr, gateway: internalIP))
            }
        }
        return routes.sorted()
    }

    private func removeRoute(_ route: Route) async throws {
        try await Self.removeRoute(route, networkNamespace: networkNamespace)
    }

    private static func removeRoute(_ route: Route, networkNamespace: String?) async throws {
        let output = try await ipOutput(["route", "delete", route.destination, "via", route.gateway], networkNamespace: networkNamespace)
        // Already gone ("No such process"): nothing to remove.
        if output.status != 0 && !output.stderrText.contains("No such process") {
            throw CommandError(command: "ip route delete \(route.destination)", message: output.stderrText)
        }
    }

    private func ip(_ arguments: [String]) async throws {
        let output = try await ipOutput(arguments)
        guard output.status == 0 else {
            throw CommandError(command: "ip " + arguments.joined(separator: " "),
                               message: output.stderrText.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    private func ipOutput(_ arguments: [String]) async throws -> CommandOutput {
        try await Self.ipOutput(arguments, networkNamespace: networkNamespace)
    }

    private static func ipOutput(_ arguments: [String], networkNamespace: String?) async throws -> CommandOutput {
        if let networkNamespace {
            return try await CommandRunner.run("/usr/bin/nsenter", ["--net=" + networkNamespace, "/usr/sbin/ip"] + arguments)
        }
        return try await CommandRunner.run("/usr/sbin/ip", arguments)
    }

    /// `net.ipv4.ip_forward=1` in the namespace the routes live in: pods' traffic to other
    /// nodes is forwarded from the bridge.
    private func enableForwarding() async throws {
        let path = "/proc/sys/net/ipv4/ip_forward"
        if let networkNamespace {
            try await NamespaceThread.run(inNetworkNamespace: networkNamespace) { try Files.write(path, Array("1\n".utf8)) }
        } else {
            try Files.write(path, Array("1\n".utf8))
        }
    }

    /// Removes the routes a sync recorded under `configuration`'s data directory (an agent
    /// that was killed rather than cancelled leaves them): part of `skiff down`.
    public static func removeRecordedRoutes(configuration: KubeletConfiguration, logger: Logger) async {
        let stateFile = stateFile(configuration)
        for route in loadState(stateFile) {
            do { try await removeRoute(route, networkNamespace: nil) } catch {
                logger.warning("cannot remove route to \(route.destination) via \(route.gateway): \(error)")
            }
        }
        try? Files.removeTree(stateFile)
    }

    private static func loadState(_ stateFile: String) -> [Route] {
        guard let bytes = try? Files.read(stateFile) else { return [] }
        return (try? JSONDecoder().decode([Route].self, from: Data(bytes))) ?? []
    }

    private func saveState(_ routes: Set<Route>) {
        do {
            try Files.makeDirectories(configuration.dataDirectory + "/network")
            try Files.writeAtomically(stateFile, [UInt8](try JSONEncoder().encode(routes.sorted())))
        } catch {
            logger.warning("cannot record the node routes: \(error)")
        }
    }
}
