import ArgumentParser
import ContainerRuntime

struct RuntimeListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List containers.")

    @OptionGroup var global: RuntimeGlobalOptions
    @Flag(name: [.short, .long], help: "Print only the ids.") var quiet = false

    func run() throws {
        let containers = global.runtime.list()
        if quiet {
            for info in containers { print(info.record.id) }
            return
        }
        print("ID\tPID\tSTATUS\tBUNDLE\tCREATED")
        for info in containers {
            print("\(info.record.id)\t\(info.state.pid ?? 0)\t\(info.status.rawValue)\t\(info.record.bundle)\t\(info.record.created)")
        }
    }
}
