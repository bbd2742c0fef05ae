import ArgumentParser
import ContainerRuntime

struct RuntimeCreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a container; its process waits for `start`.")

    @OptionGroup var global: RuntimeGlobalOptions
    @OptionGroup var options: RuntimeCreateOptions
    @Argument(help: "The container id.") var id: String

    func run() throws {
        try global.perform { try global.runtime.create(id: id, bundle: options.bundle, options: options.createOptions) }
    }
}
