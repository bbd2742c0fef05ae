import ArgumentParser
import ImageStore

struct ImageUnpackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unpack",
        abstract: "Unpack an image's layers into snapshots and print their directories.",
        discussion: """
            Each layer is unpacked once (keyed by chain ID) and shared by every image that has
            it. The directories are printed top layer first, joined by ':', ready to be an
            overlayfs lowerdir.

            Examples:
              skiff image unpack busybox:latest
              mount -t overlay overlay -o lowerdir=$(skiff image unpack hello:latest) /mnt
            """
    )

    @OptionGroup var store: ImageStoreOptions

    @Argument(help: "The image (name or digest).")
    var reference: String

    func run() throws {
        let s = try store.open()
        let paths = try s.unpack(try s.image(reference))
        print(paths.reversed().joined(separator: ":"))
    }
}
