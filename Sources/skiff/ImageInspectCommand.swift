import ArgumentParser
import Foundation
import ImageStore
import OCI

struct ImageInspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show an image's manifest, config and layers as JSON.",
        discussion: """
            Examples:
              skiff image inspect busybox:latest
              skiff image inspect sha256:3f5a1c…
            """
    )

    @OptionGroup var store: ImageStoreOptions

    @Argument(help: "The image (name or digest).")
    var reference: String

    struct Output: Encodable {
        var name: String?
        var target: Descriptor
        var manifest: Descriptor
        var config: ImageConfig
        var layers: [Descriptor]
        var chainIDs: [Digest]
        var snapshots: [String]
    }

    func run() throws {
        let s = try store.open()
        let img = try s.image(reference)
        let out = Output(name: img.name, target: img.target, manifest: img.manifestDescriptor, config: img.config,
                         layers: img.manifest.layers, chainIDs: img.chainIDs,
                         snapshots: img.chainIDs.filter { s.snapshots.contains($0) }.map { s.snapshots.path(for: $0) })
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try enc.encode(out), as: UTF8.self))
    }
}
