import ArgumentParser
import ImageStore

struct ImageSaveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "save",
        abstract: "Write images to an OCI image-layout archive.",
        discussion: """
            Examples:
              skiff image save busybox:latest -o busybox.oci.tar
              skiff image save busybox:latest hello:latest --output both.oci.tar
            """
    )

    @OptionGroup var store: ImageStoreOptions

    @Option(name: .shortAndLong, help: "The archive to write.")
    var output: String

    @Argument(help: "Images (names or digests).")
    var references: [String]

    func run() throws {
        try store.open().export(references, to: output)
        print("Saved \(references.joined(separator: ", ")) to \(output)")
    }
}
