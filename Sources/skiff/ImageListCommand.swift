import ArgumentParser
import ImageStore

struct ImageListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List images.",
        discussion: """
            Examples:
              skiff image ls
              skiff image ls --quiet
            """
    )

    @OptionGroup var store: ImageStoreOptions

    @Flag(name: .shortAndLong, help: "Print names only.")
    var quiet = false

    func run() throws {
        let s = try store.open()
        let records = s.records.list()
        if quiet {
            for r in records { print(r.name) }
            return
        }
        let width = max(4, records.map(\.name.count).max() ?? 0)
        print("NAME".padding(toLength: width, withPad: " ", startingAt: 0) + "  DIGEST                   SIZE")
        for r in records {
            let size = (try? s.resolve(r.target)).map { img in
                img.manifest.layers.reduce(img.manifest.config.size) { $0 + $1.size }
            }
            let sizeText = size.map(formatBytes) ?? "?"
            print(r.name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
                  + String(r.target.digest.description.prefix(19)) + "…  " + sizeText)
        }
    }
}

func formatBytes(_ n: Int64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var v = Double(n)
    var i = 0
    while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
    return i == 0 ? "\(n) B" : String(format: "%.1f", v) + " " + units[i]
}
