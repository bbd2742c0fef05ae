import ArgumentParser
import Dispatch

#if canImport(Glibc)
import Glibc
#endif

// Entry point. Synchronous commands (all of `skiff runtime …`) run right here, before the
// Swift concurrency runtime starts its thread pool: a container's start-to-exit latency is
// measured through this path, and starting the pool roughly doubles a short command's
// start-up time. Async commands are parsed again by `Skiff.main()` on a task while the main
// queue is serviced (parsing is cheap; it keeps the command value on one task).
// The hottest runtime commands skip ArgumentParser altogether (see RuntimeFastPath).
if let code = RuntimeFastPath.exitCode(for: CommandLine.arguments) {
    exit(code)
}
do {
    var command = try Skiff.parseAsRoot()
    if command is AsyncParsableCommand {
        Task {
            await Skiff.main()
            exit(0)
        }
        dispatchMain()
    } else {
        try command.run()
    }
} catch {
    Skiff.exit(withError: error)
}
