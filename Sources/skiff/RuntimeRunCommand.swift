import ArgumentParser
import ContainerRuntime

struct RuntimeRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Create and start a container; wait for it, delete it and exit with its exit code.")

    @OptionGroup var global: RuntimeGlobalOptions
    @OptionGroup var options: RuntimeCreateOptions
    @Flag(name: [.short, .long], help: "Return once the container runs, leaving it to its monitor.")
    var detach = false
    @Argument(help: "The container id.") var id: String

    func run() throws {
        let runtime = global.runtime
        if detach {
            try global.perform {
                try runtime.create(id: id, bundle: options.bundle, options: options.createOptions)
                try runtime.start(id: id)
            }
            return
        }
        var createOptions = options.createOptions
        createOptions.forwardSignals = true
        let exit = try global.perform { try runtime.run(id: id, bundle: options.bundle, options: createOptions) }
        if exit.exitCode != 0 { throw ExitCode(exit.exitCode) }
    }
}
