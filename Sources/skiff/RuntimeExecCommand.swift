import ArgumentParser
import ContainerRuntime
import Foundation
import OCI

struct RuntimeExecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exec",
        abstract: "Run a process inside a running container and exit with its exit code.",
        discussion: "Either `exec ID -- cmd args…` or `exec --process process.json ID`.")

    @OptionGroup var global: RuntimeGlobalOptions
    @Option(name: [.short, .long], help: "A runtime-spec process JSON file.") var process: String?
    @Option(name: [.short, .long], help: "Extra NAME=value environment (repeatable).") var env: [String] = []
    @Option(name: .long, help: "Working directory inside the container.") var cwd: String?
    @Flag(name: [.short, .long], help: "Give the process a terminal (needs --console-socket).") var tty = false
    @Option(name: .customLong("console-socket"), help: "Unix socket to send the terminal's pty master to.") var consoleSocket: String?
    @Argument(help: "The container id.") var id: String
    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.") var command: [String] = []

    func run() throws {
        let args = command.first == "--" ? Array(command.dropFirst()) : command
        let runtime = global.runtime
        let exit = try global.perform {
            var spec: RuntimeSpec.Process
            if let process {
                guard let data = FileManager.default.contents(atPath: process) else {
                    throw ValidationError("cannot read process file \(process)")
                }
                spec = try JSONDecoder().decode(RuntimeSpec.Process.self, from: data)
            } else {
                guard !args.isEmpty else { throw ValidationError("give a command after the id, or --process") }
                spec = try runtime.execProcess(id: id, args: args, env: env, cwd: cwd)
            }
            if tty { spec.terminal = true }
            if spec.terminal == true && consoleSocket == nil {
                throw ValidationError("a terminal (--tty or process.terminal) needs --console-socket to send the pty to")
            }
            return try runtime.exec(id: id, process: spec, stdio: ExecStdio(console: consoleSocket.map { .socket($0) }))
        }
        if exit.exitCode != 0 { throw ExitCode(exit.exitCode) }
    }
}
