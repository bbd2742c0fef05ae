import ArgumentParser
import ContainerRuntime
import Foundation

/// `skiff runtime …`: the OCI runtime alone, runc-style, on a bundle.
struct RuntimeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runtime",
        abstract: "Run OCI bundles as containers, runc-style.",
        discussion: """
            The same contract as runc and crun: a bundle directory with config.json and a root
            filesystem. Each container gets a monitor process that owns its stdio and records its
            exit, so containers outlive the command that started them.

            Examples:
              skiff runtime spec --bundle B          # write a default config.json
              skiff runtime run --bundle B c1        # run in the foreground, exit with its code
              skiff runtime create -b B c1 && skiff runtime start c1
              skiff runtime exec c1 -- ps
              skiff runtime kill c1 KILL && skiff runtime delete c1
            """,
        subcommands: [
            RuntimeCreateCommand.self, RuntimeStartCommand.self, RuntimeRunCommand.self, RuntimeStateCommand.self,
            RuntimeListCommand.self, RuntimeKillCommand.self, RuntimeDeleteCommand.self, RuntimeExecCommand.self,
            RuntimePsCommand.self, RuntimeSpecCommand.self,
        ]
    )
}

/// Flags every runtime subcommand takes (runc's global flags).
struct RuntimeGlobalOptions: ParsableArguments {
    @Option(help: "Directory for container state.")
    var root: String = StateDirectory.defaultRoot

    @Option(help: "Append runtime errors to this file as JSON lines (as runc's --log).")
    var log: String?

    @Option(name: .customLong("log-format"), help: "Accepted for runc compatibility; errors are logged as JSON.")
    var logFormat: String?

    var runtime: Runtime { Runtime(root: root) }

    /// Runs `body`; on failure writes the error to stderr (and the --log file) and exits 1.
    func perform<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            RuntimeErrorReport.write("\(error)", log: log)
            throw ExitCode(1)
        }
    }
}

/// How a failed runtime command reports: the message on stderr and, with --log, a JSON line
/// appended to that file (as runc's --log).
enum RuntimeErrorReport {
    static func write(_ message: String, log: String?) {
        FileHandle.standardError.write(Data("skiff runtime: \(message)\n".utf8))
        if let log, let handle = FileHandle(forWritingAtPath: log) ?? create(log) {
            let escaped = message.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            handle.seekToEndOfFile()
            handle.write(Data("{\"level\":\"error\",\"msg\":\"\(escaped)\",\"time\":\"\(Date())\"}\n".utf8))
            handle.closeFile()
        }
    }

    private static func create(_ path: String) -> FileHandle? {
        FileManager.default.createFile(atPath: path, contents: nil)
        return FileHandle(forWritingAtPath: path)
    }
}

/// Flags of `create` and `run`.
struct RuntimeCreateOptions: ParsableArguments {
    @Option(name: [.short, .long], help: "The bundle directory (config.json and the root filesystem).")
    var bundle: String = "."

    @Option(name: .customLong("console-socket"), help: "Unix socket to send the pty master to (process.terminal).")
    var consoleSocket: String?

    @Option(name: .customLong("pid-file"), help: "Write the container's host pid here.")
    var pidFile: String?

    @Option(name: .customLong("container-log"), help: "Log the container's stdout/stderr here in the CRI format.")
    var containerLog: String?

    @Option(name: .customLong("overlay-lower"), help: "Use an overlay of these directories (topmost first) as the root.")
    var overlayLower: [String] = []

    @Option(name: .customLong("overlay-upper"), help: "The overlay's writable directory (omit for a read-only root).")
    var overlayUpper: String?

    @Option(name: .customLong("overlay-work"), help: "The overlay's work directory (same filesystem as the upper one).")
    var overlayWork: String?

    func validate() throws {
        if (overlayUpper == nil) != (overlayWork == nil) {
            throw ValidationError("--overlay-upper and --overlay-work go together")
        }
        if overlayUpper != nil && overlayLower.isEmpty {
            throw ValidationError("--overlay-upper needs at least one --overlay-lower")
        }
    }

    var createOptions: CreateOptions {
        let overlay = overlayLower.isEmpty ? nil : OverlayRootfs(lowerDirs: overlayLower, upperDir: overlayUpper, workDir: overlayWork)
        return CreateOptions(overlay: overlay, containerLog: containerLog, consoleSocket: consoleSocket, pidFile: pidFile)
    }
}
