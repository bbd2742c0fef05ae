/// Creates in batches of 1, 2, 4, … (client-go's slow start): a quota or admission error
/// fails after one request instead of hundreds, yet a large scale-up still runs with
/// growing concurrency. Stops at the first batch with an error.
enum SlowStart {
    struct Outcome {
        var succeeded: Int
        /// Calls never made because an earlier batch failed.
        var skipped: Int
        var firstError: (any Error)?
    }

    static func run(count: Int, initialBatch: Int = 1,
                    _ operation: @escaping @Sendable (_ index: Int) async throws -> Void) async -> Outcome {
        var remaining = count
        var batch = min(max(initialBatch, 1), count)
        var succeeded = 0
        var started = 0
        while batch > 0 {
            let first = started
            let errors = await withTaskGroup(of: (any Error)?.self) { group in
                for index in first..<(first + batch) {
                    group.addTask {
                        do { try await operation(index); return nil } catch { return error }
                    }
                }
                var errors: [any Error] = []
                for await error in group { if let error { errors.append(error) } }
                return errors
            }
            started += batch
            succeeded += batch - errors.count
            remaining -= batch
            if let error = errors.first {
                return Outcome(succeeded: succeeded, skipped: remaining, firstError: error)
            }
            batch = min(2 * batch, remaining)
        }
        return Outcome(succeeded: succeeded, skipped: 0, firstError: nil)
    }
}
