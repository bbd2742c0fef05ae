import ArgumentParser
import ImageStore

struct ImageRemoveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rm",
        abstract: "Remove image names, and the blobs no other image uses.",
        discussion: """
            Snapshots (unpacked layers) are kept: containers may still run on them; remove
            them with `skiff image prune --snapshots` when nothing runs.

            Examples:
              skiff image rm busybox:latest
              skiff image rm 127.0.0.1:5000/hello:latest hello:latest
            """
    )

    @OptionGroup var store: ImageStoreOptions

    @Argument(help: "Images (names or digests).")
    var references: [String]

    func run() throws {
        let s = try store.open()
        for r in references {
            let rec = try s.record(r)
            try s.remove(r)
            print("Untagged \(rec.name)")
        }
        let report = try s.collectGarbage(inUse: Set(s.snapshots.list()))
        if !report.removedBlobs.isEmpty {
            print("Deleted \(report.removedBlobs.count) blobs (\(formatBytes(report.freedBytes)))")
        }
    }
}
