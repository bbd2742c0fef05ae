import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// skiff's embedded OCI registry (distribution-spec v1.1) as a swift-service-lifecycle
/// `Service`: the cluster server adds it to its `ServiceGroup`; `skiff registry` runs it alone.
///
/// Everything is kept under `root` (see `StorageLayout`), so a restart serves all that was
/// pushed before. Plain HTTP: bind it to loopback or put it behind the cluster's TLS.
public struct RegistryService: Service {
    /// The directory all registry state lives in.
    public let root: String
    public let host: String
    /// The port asked for; 0 lets the system choose (see `listeningPort()`).
    public let port: Int
    private let logger: Logger
    private let bound = BoundPort()

    public init(root: String, host: String = "127.0.0.1", port: Int = 5000,
                logger: Logger = Logger(label: "skiff.registry")) {
        self.root = root
        self.host = host
        self.port = port
        self.logger = logger
    }

    /// Uploads untouched for this long (seconds) are deleted when the registry starts; an
    /// upload in progress is resumable across restarts until then.
    public static let abandonedUploadAge = 7 * 24 * 3600

    /// Serves until the task is cancelled or graceful shutdown is triggered.
    public func run() async throws {
        let layout = StorageLayout(root: root)
        do {
            try await DiskIO.run {
                try layout.prepare()
                // Temporary files of atomic writes interrupted by a crash: never referenced.
                for leftover in try DiskIO.listDirectory(layout.temporaryDirectory) {
                    try DiskIO.remove(layout.temporaryDirectory + "/" + leftover)
                }
                try layout.removeAbandonedUploads(olderThan: Self.abandonedUploadAge)
            }
        } catch {
            await bound.fail(error)
            throw error
        }
        let responder = RegistryResponder(store: RepositoryStore(layout: layout),
                                          uploads: UploadSessions(layout: layout), logger: logger)
        let bound = self.bound
        let logger = self.logger
        let root = self.root
        let app = Application(
            responder: responder,
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                logger.info("registry listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")",
                                                              "root": "\(root)"])
                await bound.set(port)
            },
            logger: logger
        )
        do {
            try await app.run()
        } catch {
            await bound.fail(error)
            throw error
        }
        await bound.fail(CancellationError())
    }

    /// The port the server listens on, once it does (waits until then). Fails if the server
    /// could not start.
    public func listeningPort() async throws -> Int {
        try await bound.wait()
    }

    /// Runs the registry until SIGINT or SIGTERM, then shuts down gracefully (in-flight
    /// requests finish). For `skiff registry`.
    public func runUntilSignalled() async throws {
        let group = ServiceGroup(configuration: .init(
            services: [self], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// The port the server bound, delivered to whoever waits for it.
private actor BoundPort {
    private var result: Result<Int, any Error>?
    private var waiters: [CheckedContinuation<Int, any Error>] = []

    func set(_ port: Int) { resolve(.success(port)) }

    func fail(_ error: any Error) {
        if result == nil { resolve(.failure(error)) }
    }

    func wait() async throws -> Int {
        if let result { return try result.get() }
        return try await withCheckedThrowingContinuation { waiters.append($0) }
    }

    private func resolve(_ value: Result<Int, any Error>) {
        result = value
        for waiter in waiters { waiter.resume(with: value) }
        waiters.removeAll()
    }
}
