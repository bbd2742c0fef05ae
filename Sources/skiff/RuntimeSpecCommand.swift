import ArgumentParser
import ContainerRuntime
import Foundation

struct RuntimeSpecCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "spec", abstract: "Write a default config.json into the bundle (like runc spec).")

    @Option(name: [.short, .long], help: "The bundle directory.") var bundle: String = "."

    func run() throws {
        let path = bundle + "/config.json"
        guard !FileManager.default.fileExists(atPath: path) else {
            throw ValidationError("\(path) already exists")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(DefaultRuntimeSpec.make())
        try data.write(to: URL(fileURLWithPath: path))
    }
}
