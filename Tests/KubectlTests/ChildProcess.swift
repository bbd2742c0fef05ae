import Foundation

/// The outcome of one finished command: what a failing test prints so that the reader sees the
/// exact command and the server's answer as the client reported it.
struct CommandResult: Sendable, CustomStringConvertible {
    var command: [String]
    var status: Int32
    var stdout: String
    var stderr: String
    var timedOut: Bool

    var succeeded: Bool { status == 0 && !timedOut }

    var description: String {
        let shown = command.map { $0.contains(" ") || $0.contains("{") ? "'\($0)'" : $0 }.joined(separator: " ")
        return """
            $ \(shown)
            exit \(status)\(timedOut ? " (killed after timeout)" : "")
            stdout: \(stdout.count > 4000 ? String(stdout.prefix(4000)) + "…" : stdout)
            stderr: \(stderr.count > 4000 ? String(stderr.prefix(4000)) + "…" : stderr)
            """
    }
}

/// Runs external programs (kubectl, python3, skiff) without blocking a cooperative thread:
/// output goes to files (no pipe can fill up and stall the child), the exit is awaited through
/// the termination handler, and a child that outlives its timeout is SIGKILLed (children of a
/// test process may inherit blocked signals, so SIGTERM is not reliable).
enum ChildProcess {
    /// A started child whose output is still being written; used for `get -w` and `wait`.
    final class Running: Sendable {
        let command: [String]
        let pid: Int32
        let stdoutPath: String
        let stderrPath: String
        private let exit: Task<Int32, Never>
        /// Held so the child is monitored until it exits.
        private let process: Process

        fileprivate init(
            command: [String], process: Process, pid: Int32, stdoutPath: String, stderrPath: String, exit: Task<Int32, Never>
        ) {
            self.command = command
            self.process = process
            self.pid = pid
            self.stdoutPath = stdoutPath
            self.stderrPath = stderrPath
            self.exit = exit
        }

        var stdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }
        var stderr: String { (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? "" }

        /// Polls the output until `predicate` holds, the child exits, or `timeout` passes.
        /// Returns whether the predicate held.
        func waitForOutput(timeout: Duration = .seconds(30), _ predicate: (String) -> Bool) async -> Bool {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if predicate(stdout) { return true }
                if kill(pid, 0) != 0 { return predicate(stdout) }
                try? await Task.sleep(for: .milliseconds(50))
            }
            return predicate(stdout)
        }

        /// Waits for the exit (SIGKILL after `timeout`) and returns everything it printed.
        func finish(timeout: Duration = .seconds(60)) async -> CommandResult {
            let pid = self.pid
            let killer = Task {
                try? await Task.sleep(for: timeout)
                if !Task.isCancelled { Foundation.kill(pid, SIGKILL) }
                return !Task.isCancelled
            }
            let status = await exit.value
            killer.cancel()
            let timedOut = await killer.value
            return CommandResult(command: command, status: status, stdout: stdout, stderr: stderr, timedOut: timedOut && status != 0)
        }

        /// SIGKILLs the child (if still running) and reaps it.
        func stop() async -> CommandResult {
            Foundation.kill(pid, SIGKILL)
            let status = await exit.value
            return CommandResult(command: command, status: status, stdout: stdout, stderr: stderr, timedOut: false)
        }
    }

    /// Starts `executable` with `arguments`; output to files in `outputDirectory`.
    static func start(
        _ executable: String, _ arguments: [String], environment: [String: String],
        stdin: String? = nil, outputDirectory: URL
    ) throws -> Running {
        let id = UUID().uuidString.prefix(8)
        let stdoutPath = outputDirectory.appendingPathComponent("out-\(id)").path
        let stderrPath = outputDirectory.appendingPathComponent("err-\(id)").path
        FileManager.default.createFile(atPath: stdoutPath, contents: nil)
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdoutPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        if let stdin {
            let inputPath = outputDirectory.appendingPathComponent("in-\(id)").path
            FileManager.default.createFile(atPath: inputPath, contents: Data(stdin.utf8))
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: inputPath))
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        let (stream, continuation) = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { finished in
            continuation.yield(finished.terminationStatus)
            continuation.finish()
        }
        try process.run()
        let exit = Task<Int32, Never> {
            for await status in stream { return status }
            return -1
        }
        return Running(
            command: [executable] + arguments, process: process, pid: process.processIdentifier,
            stdoutPath: stdoutPath, stderrPath: stderrPath, exit: exit)
    }

    /// Runs to completion (SIGKILL after `timeout`).
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], stdin: String? = nil,
        outputDirectory: URL, timeout: Duration = .seconds(60)
    ) async throws -> CommandResult {
        let running = try start(executable, arguments, environment: environment, stdin: stdin, outputDirectory: outputDirectory)
        return await running.finish(timeout: timeout)
    }
}
