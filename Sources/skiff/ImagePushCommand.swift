import ArgumentParser
import ImageStore

struct ImagePushCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push",
        abstract: "Push a local image to a registry.",
        discussion: """
            Blobs the registry already has are skipped. Without --to, the image is pushed to
            the registry and name it has locally.

            Examples:
              skiff image push 127.0.0.1:5000/busybox:latest
              skiff image push busybox:latest --to 127.0.0.1:5000/library/busybox:1.36
            """
    )

    @OptionGroup var store: ImageStoreOptions
    @OptionGroup var registry: RegistryOptions

    @Option(name: .long, help: "Destination reference (default: the local name).")
    var to: String?

    @Argument(help: "The local image (name or digest).")
    var reference: String

    func run() async throws {
        let s = try store.open()
        let rec = try s.record(reference)
        let dest = try s.reference(to ?? rec.name)
        let client = RegistryClient(store: s, options: registry.clientOptions)
        do {
            let pushed = try await client.push(reference, to: dest)
            try await client.shutdown()
            print("Pushed \(dest) \(pushed.digest)")
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
