import Foundation

/// The outcome of an external command: exit status and everything it printed.
struct CommandOutput: Sendable {
    var status: Int32
    var standardOutput: [UInt8]
    var standardError: [UInt8]

    var stdoutText: String { String(decoding: standardOutput, as: UTF8.self) }
    var stderrText: String { String(decoding: standardError, as: UTF8.self) }
}

/// A command that could not be started, or that failed.
struct CommandError: Error, Sendable, CustomStringConvertible {
    var command: String
    var message: String
    var description: String { "\(command): \(message)" }
}

/// Runs external programs (the CNI plugins, `ip`) on a thread of its own, so a slow plugin
/// never blocks the cooperative thread pool the agent's tasks share.
enum CommandRunner {
    /// Runs `executable` with `arguments`, the given environment (added to the agent's own,
    /// which plugins need for `PATH`), and `input` on stdin.
    static func run(_ executable: String, _ arguments: [String] = [], environment: [String: String] = [:],
                    input: [UInt8] = []) async throws -> CommandOutput {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result {
                    try runBlocking(executable, arguments, environment: environment, input: input)
                })
            }
            thread.start()
        }
    }

    /// Runs a command and throws with its stderr when it exits non-zero.
    @discardableResult
    static func check(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> String {
        let output = try await run(executable, arguments, environment: environment)
        guard output.status == 0 else {
            let detail = output.stderrText.trimmingCharacters(in: .whitespacesAndNewlines)
            throw CommandError(command: ([executable] + arguments).joined(separator: " "),
                               message: "exit status \(output.status)\(detail.isEmpty ? "" : ": \(detail)")")
        }
        return output.stdoutText
    }

    private static func runBlocking(_ executable: String, _ arguments: [String], environment: [String: String],
                                    input: [UInt8]) throws -> CommandOutput {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do {
            try process.run()
        } catch {
            throw CommandError(command: executable, message: "cannot start: \(error)")
        }
        // stderr is drained on its own thread so neither pipe can fill and stall the child.
        let errorBox = OutputBox()
        let errorReader = Thread { errorBox.set(stderr.fileHandleForReading.readDataToEndOfFile()) }
        errorReader.start()
        if !input.isEmpty { try? stdin.fileHandleForWriting.write(contentsOf: input) }
        try? stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let err = errorBox.wait()
        return CommandOutput(status: process.terminationStatus, standardOutput: [UInt8](out), standardError: [UInt8](err))
    }
}

/// Hands the stderr bytes from the reader thread to the waiting one.
private final class OutputBox: Sendable {
    private let condition = NSCondition()
    // Guarded by `condition`: written once by the reader thread, read after it signalled.
    nonisolated(unsafe) private var data: Data?

    func set(_ value: Data) {
        condition.lock()
        data = value
        condition.signal()
        condition.unlock()
    }

    func wait() -> Data {
        condition.lock()
        defer { condition.unlock() }
        while data == nil { condition.wait() }
        return data ?? Data()
    }
}
