import Logging
import ServiceLifecycle

/// A long-running part of the server (scheduler, controller manager, node agent) as a
/// swift-service-lifecycle `Service`: runs the part's async `run()` and cancels it when the
/// group shuts down gracefully. Cancellation is how every part is told to stop, so a
/// `CancellationError` on the way out is a clean stop, not a failure.
struct ComponentService: Service, CustomStringConvertible {
    let name: String
    let logger: Logger
    let body: @Sendable () async throws -> Void

    var description: String { name }

    func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                try await body()
            }
        } catch is CancellationError {
            logger.debug("stopped", metadata: ["component": "\(name)"])
        }
        logger.info("stopped", metadata: ["component": "\(name)"])
    }
}
