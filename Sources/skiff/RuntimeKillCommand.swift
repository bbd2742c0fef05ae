import ArgumentParser
import ContainerRuntime
import LinuxSystem

struct RuntimeKillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kill", abstract: "Send a signal (default SIGTERM) to a container's process.")

    @OptionGroup var global: RuntimeGlobalOptions
    @Flag(name: [.short, .long], help: "Signal every process of the container.") var all = false
    @Argument(help: "The container id.") var id: String
    @Argument(help: "A signal name (KILL, SIGTERM) or number.") var signal: String = "SIGTERM"

    func run() throws {
        guard let number = Processes.signalNumber(signal) else {
            throw ValidationError("unknown signal \(signal)")
        }
        try global.perform { try global.runtime.kill(id: id, signal: number, all: all) }
    }
}
