import ArgumentParser
import ContainerRuntime

struct RuntimeStartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start a created container.")

    @OptionGroup var global: RuntimeGlobalOptions
    @Argument(help: "The container id.") var id: String

    func run() throws {
        try global.perform { try global.runtime.start(id: id) }
    }
}
