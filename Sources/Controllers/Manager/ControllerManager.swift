import ClusterClient
import Logging

/// kube-controller-manager in one object: it builds every controller by name over one
/// client and one shared `InformerFactory`, starts the informers, and runs the controllers
/// until the calling task is cancelled.
///
/// Leader election is not in here on purpose: whoever composes the server wraps `run()` in
/// a `LeaderElector`, so that losing the lease cancels the whole manager at once and a new
/// leader starts from fresh caches.
public final class ControllerManager: Sendable {
    public let options: ControllerManagerOptions
    private let context: ControllerContext
    /// The controllers enabled by `options.enabledControllers`, in `ControllerRegistry` order.
    public let controllers: [any Controller]

    public init(client: ClusterClient, informers: InformerFactory, options: ControllerManagerOptions = .init(),
                logger: Logger) {
        self.options = options
        let context = ControllerContext(client: client, informers: informers, options: options, logger: logger)
        self.context = context
        // Every controller registers its informer handlers in `init`, before the factory runs.
        self.controllers = ControllerRegistry.all
            .filter { options.enabledControllers?.contains($0.name) ?? true }
            .map { $0.make(context) }
    }

    /// The names of the controllers this manager runs.
    public var controllerNames: [String] {
        ControllerRegistry.all.map(\.name).filter { options.enabledControllers?.contains($0) ?? true }
    }

    /// Starts the shared informers and every controller; returns once the task is cancelled
    /// and all of them have stopped.
    public func run() async {
        let informers = context.informers
        let workers = max(1, options.concurrentSyncs)
        let logger = context.logger
        logger.info("starting controllers", metadata: ["controllers": "\(controllerNames.joined(separator: ","))"])
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await informers.run() }
            for controller in controllers {
                group.addTask { await controller.run(workers: workers) }
            }
            await group.waitForAll()
        }
        logger.info("controllers stopped")
    }
}
