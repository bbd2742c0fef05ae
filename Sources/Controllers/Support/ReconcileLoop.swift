import ClusterClient
import Logging

/// The worker side of a controller: keys from the informers' handlers go into one rate
/// limited work queue; `workers` tasks take keys and run `sync`. A failed sync is retried
/// with per-key exponential backoff; a successful one clears the backoff. Cancelling the
/// calling task shuts the queue down and the workers finish their current key.
struct ReconcileLoop: Sendable {
    let queue: WorkQueue<String>
    let logger: Logger

    init(name: String, logger: Logger) {
        self.queue = WorkQueue(name: name)
        self.logger = logger
    }

    func enqueue(_ key: String) {
        let queue = queue
        Task { await queue.add(key) }
    }

    func enqueue(_ key: String, after delay: Duration) {
        let queue = queue
        Task { await queue.add(key, after: delay) }
    }

    /// Waits for `informers` to sync, then runs the workers until cancelled.
    func run(workers: Int, informers: [SharedInformer], sync: @escaping @Sendable (String) async throws -> Void) async {
        for informer in informers { await informer.waitForSync() }
        guard !Task.isCancelled else { return }
        let queue = queue
        await withTaskCancellationHandler {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<max(workers, 1) {
                    group.addTask { await self.work(sync: sync) }
                }
            }
        } onCancel: {
            Task { await queue.shutDown() }
        }
    }

    private func work(sync: @Sendable (String) async throws -> Void) async {
        while let key = await queue.get() {
            do {
                try await sync(key)
                await queue.forget(key)
            } catch let error as ClientError where error.isConflict {
                // A stale cached copy: routine, the retry reads the newer one.
                logger.debug("sync of \(key) hit a conflict, will retry: \(error)")
                await queue.addRateLimited(key)
            } catch {
                logger.warning("sync of \(key) failed, will retry: \(error)")
                await queue.addRateLimited(key)
            }
            await queue.done(key)
        }
    }
}
