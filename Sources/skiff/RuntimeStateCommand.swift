import ArgumentParser
import ContainerRuntime
import Foundation

struct RuntimeStateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "state", abstract: "Print a container's state as runtime-spec JSON.")

    @OptionGroup var global: RuntimeGlobalOptions
    @Argument(help: "The container id.") var id: String

    func run() throws {
        let info = try global.perform { try global.runtime.inspect(id: id) }
        var object: [String: Any] = [
            "ociVersion": info.state.ociVersion, "id": info.record.id, "status": info.status.rawValue,
            "pid": info.state.pid ?? 0, "bundle": info.record.bundle, "created": info.record.created,
        ]
        if let annotations = info.record.annotations { object["annotations"] = annotations }
        if let exit = info.exit {
            object["exitCode"] = exit.exitCode
            if exit.signal != 0 { object["signal"] = exit.signal }
            if exit.oomKilled { object["oomKilled"] = true }
            if let finished = exit.finishedAt { object["finishedAt"] = finished }
        }
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        print(String(decoding: data, as: UTF8.self))
    }
}
