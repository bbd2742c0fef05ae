import ArgumentParser
import ImageStore
import OCI

/// `skiff image`: the node's image store from the command line.
struct ImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Load, pull, push, list, inspect and remove images in a skiff image store.",
        discussion: """
            Images live in a content-addressed store: blobs verified by digest, layers
            unpacked once per chain ID. Names without a registry resolve to docker.io
            (busybox → docker.io/library/busybox:latest) unless --default-registry says
            otherwise.

            Examples:
              skiff image load Images/out/busybox.oci.tar
              skiff image pull 127.0.0.1:5000/hello:latest
              skiff image push busybox:latest --to 127.0.0.1:5000/busybox:latest
              skiff image ls
            """,
        subcommands: [
            ImageLoadCommand.self, ImagePullCommand.self, ImagePushCommand.self, ImageListCommand.self,
            ImageInspectCommand.self, ImageRemoveCommand.self, ImageSaveCommand.self, ImagePruneCommand.self,
            ImageUnpackCommand.self, ImageBuildCommand.self,
        ]
    )
}

/// Where the store is.
struct ImageStoreOptions: ParsableArguments {
    @Option(name: .long, help: "Root directory of the image store.")
    var root: String = "/var/lib/skiff/default/images"

    @Option(name: .long, help: "Registry for references that name none (docker's rule: docker.io).")
    var defaultRegistry: String = ImageReference.dockerHub

    func open() throws -> ImageStore {
        try ImageStore(root: root, defaultRegistry: defaultRegistry)
    }
}

/// How to reach registries.
struct RegistryOptions: ParsableArguments {
    @Option(name: .long, help: "Registry (HOST:PORT) to reach over plain HTTP; repeatable. Loopback registries always are.")
    var insecureRegistry: [String] = []

    @Flag(name: .long, help: "Use plain HTTP for every registry.")
    var plainHttp = false

    @Option(name: .long, help: "Blobs transferred at once.")
    var concurrency = 3

    var clientOptions: RegistryClientOptions {
        RegistryClientOptions(insecureRegistries: Set(insecureRegistry), plainHTTP: plainHttp, concurrency: concurrency)
    }
}
