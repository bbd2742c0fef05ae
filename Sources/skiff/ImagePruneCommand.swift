import ArgumentParser
import ImageStore

struct ImagePruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove blobs (and with --snapshots, unpacked layers) that no image uses.",
        discussion: """
            Run it when no pull, load or container uses the store: a snapshot under a running
            container whose image was removed would go too.

            Examples:
              skiff image prune
              skiff image prune --snapshots
            """
    )

    @OptionGroup var store: ImageStoreOptions

    @Flag(name: .long, help: "Also remove snapshots that no image references.")
    var snapshots = false

    func run() throws {
        let s = try store.open()
        let keep = snapshots ? [] : Set(s.snapshots.list())
        let report = try s.collectGarbage(inUse: keep)
        print("Deleted \(report.removedBlobs.count) blobs (\(formatBytes(report.freedBytes))), \(report.removedSnapshots.count) snapshots")
    }
}
