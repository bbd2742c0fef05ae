import ClusterClient
import Logging

/// The worker side of a controller: `workers` loops take keys from `queue` and reconcile
/// them; a key whose reconcile throws is retried with the queue's per-item backoff, one that
/// succeeds has its backoff forgotten. Cancelling the calling task shuts the queue down, so
/// every worker drains and returns.
func runReconcileLoop<Key: Hashable & Sendable>(
    queue: WorkQueue<Key>, workers: Int, logger: Logger, controller: String,
    reconcile: @escaping @Sendable (Key) async throws -> Void
) async {
    await withTaskCancellationHandler {
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<max(1, workers) {
                group.addTask {
                    while let key = await queue.get() {
                        do {
                            try await reconcile(key)
                            await queue.forget(key)
                        } catch {
                            if !Task.isCancelled {
                                logger.debug("reconcile failed, will retry",
                                             metadata: ["controller": "\(controller)", "key": "\(key)", "error": "\(error)"])
                                await queue.addRateLimited(key)
                            }
                        }
                        await queue.done(key)
                        if Task.isCancelled { break }
                    }
                }
            }
            await group.waitForAll()
        }
    } onCancel: {
        Task { await queue.shutDown() }
    }
}

/// Runs `body` every `period` until the task is cancelled (a controller's periodic resync).
func runPeriodically(every period: Duration, _ body: @Sendable () async -> Void) async {
    while !Task.isCancelled {
        await body()
        do { try await Task.sleep(for: period) } catch { return }
    }
}

extension WorkQueue {
    /// Enqueues from a synchronous informer handler.
    nonisolated func enqueue(_ key: Key) {
        Task { await self.add(key) }
    }

    nonisolated func enqueue(_ key: Key, after delay: Duration) {
        Task { await self.add(key, after: delay) }
    }
}
