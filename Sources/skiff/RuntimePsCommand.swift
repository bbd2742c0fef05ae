import ArgumentParser
import ContainerRuntime
import Foundation

struct RuntimePsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ps", abstract: "List the host pids of a container's processes.")

    @OptionGroup var global: RuntimeGlobalOptions
    @Option(name: [.short, .long], help: "table or json.") var format: String = "table"
    @Argument(help: "The container id.") var id: String

    func run() throws {
        let pids = try global.perform { try global.runtime.processes(id: id) }
        if format == "json" {
            print("[" + pids.map(String.init).joined(separator: ",") + "]")
            return
        }
        print("PID\tCMD")
        for pid in pids {
            let cmdline = (try? String(contentsOfFile: "/proc/\(pid)/cmdline", encoding: .utf8)) ?? ""
            print("\(pid)\t\(cmdline.split(separator: "\0").joined(separator: " "))")
        }
    }
}
