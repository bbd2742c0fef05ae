import ArgumentParser
import ContainerRuntime

struct RuntimeDeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete", abstract: "Delete a stopped container (or a running one with --force).")

    @OptionGroup var global: RuntimeGlobalOptions
    @Flag(name: [.short, .long], help: "Kill the container first if it is running.") var force = false
    @Argument(help: "The container id.") var id: String

    func run() throws {
        try global.perform { try global.runtime.delete(id: id, force: force) }
    }
}
