import ArgumentParser
import ImageStore

struct ImagePullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Pull an image from a registry by tag or digest.",
        discussion: """
            A multi-platform index is resolved to this machine's platform. Layers download
            concurrently, are verified by digest, and interrupted downloads resume.

            Examples:
              skiff image pull 127.0.0.1:5000/busybox:latest
              skiff image pull --insecure-registry registry.lan:5000 registry.lan:5000/team/app@sha256:…
              skiff image pull --unpack 127.0.0.1:5000/hello:latest
            """
    )

    @OptionGroup var store: ImageStoreOptions
    @OptionGroup var registry: RegistryOptions

    @Flag(name: .long, help: "Also unpack the layers into snapshots.")
    var unpack = false

    @Argument(help: "The image reference.")
    var reference: String

    func run() async throws {
        let s = try store.open()
        let ref = try s.reference(reference)
        let client = RegistryClient(store: s, options: registry.clientOptions)
        do {
            let result = try await client.pull(ref)
            try await client.shutdown()
            if unpack { _ = try s.unpack(try s.image(result.name)) }
            print("Pulled \(result.name) \(result.target.digest) (\(result.fetchedBlobs) blobs fetched)")
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
