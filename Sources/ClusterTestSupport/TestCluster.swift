import APIServer
import APIModel
import ClusterClient
import Foundation
import KVStore
import Logging
import PKI
import ServiceLifecycle
import Synchronization

/// A real single-member store and apiserver (TLS, client certificates) on an ephemeral
/// loopback port, with a fresh cluster PKI in a temporary directory: what the tests of the
/// scheduler, the controllers and the node agent run against.
public struct TestCluster: Sendable {
    /// A client presenting the admin certificate (system:masters).
    public let client: ClusterClient
    public let connection: ClusterConnection
    public let pki: ClusterPKI
    public let port: Int
    /// The temporary directory (removed afterwards); holds `admin.kubeconfig` for real kubectl.
    public let directory: String
    public var kubeconfigPath: String { directory + "/admin.kubeconfig" }
    /// The store under the apiserver, for tests that act on it directly (compaction).
    public let store: any KeyValueStore
    /// A bearer token the apiserver accepts (user `test-token-user`, group `system:masters`).
    public let token: String
    let host: APIServerHost

    /// Another client (its own connection pool and user agent) to the same apiserver.
    public func makeClient(userAgent: String) throws -> ClusterClient {
        try ClusterClient(connection: connection, userAgent: userAgent)
    }

    /// Stops the apiserver, runs `whileStopped` against the bare store (writes there are
    /// changes no watch saw), and starts a fresh apiserver on the same port over the same
    /// store. Its watch cache begins at the store's current revision, so a watch resuming from
    /// an older resourceVersion gets 410 Expired: what an informer sees when the apiserver
    /// restarts, or falls behind etcd's compaction.
    public func restartAPIServer(whileStopped: @Sendable () async throws -> Void = {}) async throws {
        await host.stop()
        try await whileStopped()
        try await host.start(port: port)
    }

    /// Writes `object` straight into the store under `/registry/<group or core>/<plural>/…`,
    /// bypassing the apiserver (with it stopped, a change no watch sees).
    public func storePut(_ resource: ResourceRef, namespace: String? = nil, name: String, object: JSONValue) async throws {
        let key = Self.storeKey(resource, namespace: namespace, name: name)
        _ = try await store.put(KV.PutRequest(key: Array(key.utf8), value: object.encoded()))
    }

    /// Deletes an object straight from the store, bypassing the apiserver.
    public func storeDelete(_ resource: ResourceRef, namespace: String? = nil, name: String) async throws {
        let key = Self.storeKey(resource, namespace: namespace, name: name)
        _ = try await store.deleteRange(KV.DeleteRangeRequest(key: Array(key.utf8)))
    }

    /// Advances the store's revision with writes to a key no resource uses.
    public func storeBumpRevision(writes: Int = 1) async throws {
        for index in 0..<writes {
            _ = try await store.put(KV.PutRequest(key: Array("/registry/test-unrelated/\(index)".utf8), value: Array("{}".utf8)))
        }
    }

    static func storeKey(_ resource: ResourceRef, namespace: String?, name: String) -> String {
        var key = "/registry/\(resource.group.isEmpty ? "core" : resource.group)/\(resource.plural)/"
        if resource.namespaced, let namespace { key += namespace + "/" }
        return key + name
    }

    /// Compacts the store's history up to its current revision: watches and lists from an
    /// older resourceVersion then fail with 410 Gone, as after etcd's periodic compaction.
    public func compactStore() async throws {
        let revision = try await store.currentRevision()
        _ = try await store.compact(KV.CompactionRequest(revision: revision))
    }
}

/// Starts the store and apiserver, runs `body`, then stops everything and removes the
/// directory, also when `body` throws.
public func withTestCluster<T: Sendable>(_ body: @Sendable (TestCluster) async throws -> T) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-cluster-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    var logger = Logger(label: "skiff.testcluster")
    logger.logLevel = .warning
    let node = try TestClusterStore.start(directory: directory.appendingPathComponent("store"), logger: logger)
    let storeTask = Task { try await node.run() }
    do {
        try await TestClusterStore.waitUntilServing(node)
        let result = try await withAPIServer(store: node, directory: directory, logger: logger, body)
        node.stop()
        _ = await storeTask.result
        return result
    } catch {
        node.stop()
        _ = await storeTask.result
        throw error
    }
}

private func withAPIServer<T: Sendable>(store: StoreNode, directory: URL, logger: Logger,
                                        _ body: @Sendable (TestCluster) async throws -> T) async throws -> T {
    let pki = try ClusterPKI.loadOrCreate(dataDirectory: directory.appendingPathComponent("pki").path,
                                          options: PKIOptions(nodeName: "test-node"), logger: logger)
    let token = UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    let host = APIServerHost(store: store, pki: pki, token: token, logger: logger)
    var client: ClusterClient?
    do {
        let port = try await host.start(port: 0)
        let serverURL = "https://127.0.0.1:\(port)"
        try Kubeconfig.write(try pki.adminKubeconfig(cluster: "test", server: serverURL),
                             to: directory.appendingPathComponent("admin.kubeconfig").path)
        let connection = ClusterConnection(server: serverURL, trustRoots: [pki.ca.certificate], identity: pki.admin)
        let admin = try ClusterClient(connection: connection, userAgent: "skiff-test", logger: logger)
        client = admin
        let cluster = TestCluster(client: admin, connection: connection, pki: pki, port: port, directory: directory.path,
                                  store: store, token: token, host: host)
        let result = try await body(cluster)
        try? await admin.shutdown()
        await host.stop()
        return result
    } catch {
        try? await client?.shutdown()
        await host.stop()
        throw error
    }
}

/// The apiserver of a test cluster as a restartable service group.
final class APIServerHost: Sendable {
    private struct Running: Sendable {
        var group: ServiceGroup
        var task: Task<Void, any Error>
    }

    let store: StoreNode
    let pki: ClusterPKI
    let token: String
    let logger: Logger
    private let running = Mutex<Running?>(nil)

    init(store: StoreNode, pki: ClusterPKI, token: String, logger: Logger) {
        self.store = store
        self.pki = pki
        self.token = token
        self.logger = logger
    }

    /// Starts a fresh apiserver on `port` (0: ephemeral) and returns the bound port.
    @discardableResult
    func start(port: Int) async throws -> Int {
        var configuration = APIServerConfiguration(host: "127.0.0.1", port: port)
        configuration.tls = try TLSConfigurations.server(identity: pki.apiServer, trustRoots: [pki.ca.certificate],
                                                         clientCertificates: .optional)
        configuration.clientCA = [pki.ca.certificate]
        configuration.tokenAuthenticator = StaticTokenAuthenticator(
            users: [token: AuthenticatedUser(name: "test-token-user", groups: ["system:masters"])])
        let server = APIServer(configuration: configuration, store: store, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [server], logger: logger))
        let task = Task { try await group.run() }
        running.withLock { $0 = Running(group: group, task: task) }
        // A port just released may still be held briefly by the previous listener.
        var attempt = 0
        while true {
            do {
                return try await server.listeningPort()
            } catch {
                attempt += 1
                guard port != 0, attempt < 50 else { throw error }
                _ = await task.result
                try await Task.sleep(for: .milliseconds(100))
                let retry = APIServer(configuration: configuration, store: store, logger: logger)
                let retryGroup = ServiceGroup(configuration: .init(services: [retry], logger: logger))
                let retryTask = Task { try await retryGroup.run() }
                running.withLock { $0 = Running(group: retryGroup, task: retryTask) }
                do { return try await retry.listeningPort() } catch { continue }
            }
        }
    }

    /// Gracefully stops the running apiserver, if any.
    func stop() async {
        guard let current = running.withLock({ state -> Running? in defer { state = nil }; return state }) else { return }
        await current.group.triggerGracefulShutdown()
        _ = await current.task.result
    }
}

/// The single store member under a test cluster.
enum TestClusterStore {
    struct DidNotStart: Error, CustomStringConvertible {
        var description: String
    }

    static func start(directory: URL, logger: Logger) throws -> StoreNode {
        // Port 0: a single member never dials itself, so its peer listener can be ephemeral.
        let peer = PeerAddress(host: "127.0.0.1", port: 0)
        var configuration = NodeConfiguration(
            name: "n0", dataDirectory: directory, clientURL: "http://127.0.0.1:0",
            peerAddress: peer, initialCluster: [(name: "n0", address: peer)])
        configuration.tickInterval = .milliseconds(10)
        configuration.electionTicks = 5
        return StoreNode(configuration: configuration, logger: logger) { directory, logger in
            try StoreStorage.open(directory: directory, logger: logger)
        }
    }

    /// Waits until the member has elected itself and answers linearizable reads.
    static func waitUntilServing(_ node: StoreNode) async throws {
        var lastError: (any Error)?
        for _ in 0..<1000 {
            do {
                _ = try await node.currentRevision()
                return
            } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        throw DidNotStart(description: "the test store did not start serving: \(lastError.map { "\($0)" } ?? "unknown")")
    }
}
