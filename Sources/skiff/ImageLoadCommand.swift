import ArgumentParser
import ImageStore

struct ImageLoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load",
        abstract: "Load images from an OCI image-layout archive or a docker save archive.",
        discussion: """
            The archive may be gzipped. Every blob is verified against its digest. Images are
            named from the archive (ref-name annotation, or RepoTags of docker save).

            Examples:
              skiff image load Images/out/busybox.oci.tar
              docker save alpine:3.20 | gzip > alpine.tar.gz && skiff image load alpine.tar.gz
              skiff image load --name myapp:dev build/app.oci.tar
            """
    )

    @OptionGroup var store: ImageStoreOptions

    @Option(name: .long, help: "Name for images the archive leaves unnamed (or names only by tag).")
    var name: String?

    @Argument(help: "The archive file.")
    var file: String

    func run() async throws {
        let s = try store.open()
        let fallback = try name.map { try s.reference($0) }
        let loaded = try s.load(archive: file, nameForUntagged: fallback)
        for image in loaded {
            print("Loaded \(image.name ?? "<unnamed>") \(image.target.digest)")
        }
    }
}
