import ArgumentParser
import Foundation
import ImageStore
import OCI

struct ImageBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build an image archive from directories, reproducibly (used by Scripts/build-images).",
        discussion: """
            Each --layer directory becomes one layer, base first. The run config (Entrypoint,
            Cmd, Env, WorkingDir, ExposedPorts, User, Labels) is read from --config, a JSON
            object in the image-spec's `config` shape. Files are stored as 0:0 with mtime
            SOURCE_DATE_EPOCH (default 0), sorted, gzip without name or time: the same inputs
            always give the same digests. Nothing touches the network.

            Examples:
              skiff image build --layer rootfs --config image.json --tag busybox:latest --output busybox.oci.tar
              skiff image build --layer base --layer app --config app.json --tag hello:latest --output hello.oci.tar
            """
    )

    @Option(name: .long, help: "A directory to add as a layer; repeat for more layers (base first).")
    var layer: [String]

    @Option(name: .long, help: "JSON file with the run config.")
    var config: String

    @Option(name: .long, help: "Name recorded in the archive (ref-name annotation), e.g. busybox:latest.")
    var tag: String

    @Option(name: .shortAndLong, help: "The OCI archive to write.")
    var output: String

    @Option(name: .long, help: "mtime of every file and the image's created time (default: $SOURCE_DATE_EPOCH or 0).")
    var sourceDateEpoch: Int64?

    func validate() throws {
        if layer.isEmpty { throw ValidationError("give at least one --layer directory") }
    }

    func run() throws {
        let runConfig: ImageConfig.RunConfig
        do {
            runConfig = try JSONDecoder().decode(ImageConfig.RunConfig.self, from: Data(contentsOf: URL(fileURLWithPath: config)))
        } catch {
            throw ValidationError("\(config): not a run config: \(error)")
        }
        let epoch = sourceDateEpoch ?? ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap { Int64($0) } ?? 0
        // A private scratch store next to the output: the archive is the product.
        let scratch = output + ".store"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let store = try ImageStore(root: scratch)
        let builder = ImageBuilder(layers: layer, runConfig: runConfig, sourceDateEpoch: epoch)
        let desc = try builder.buildArchive(name: tag, output: output, scratch: store)
        print("Built \(tag) \(desc.digest) -> \(output)")
    }
}
