import ArgumentParser
import Foundation
import KVStore

/// `skiff store snapshot save FILE` / `skiff store snapshot restore FILE --data-dir D …`.
struct StoreSnapshot: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot", abstract: "Save the whole keyspace to a file, or build a new member from one.",
        subcommands: [Save.self, Restore.self])

    struct Save: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stream a consistent image of the keyspace into FILE.")
        @OptionGroup var endpoint: StoreEndpointOptions
        @Argument(help: "The file to write (replaced only once the image is complete and verified).")
        var file: String

        func run() async throws {
            var image: [UInt8] = []
            var revision: Int64 = 0
            for try await chunk in try endpoint.client().snapshot() {
                image += chunk.blob
                revision = chunk.header?.revision ?? revision
            }
            // Verify before replacing anything: a broken stream must not overwrite a good backup.
            do {
                _ = try StoreSnapshotImage.decode(image, file: "the received snapshot")
            } catch {
                throw StoreCommandFailure("\(error)")
            }
            let target = URL(fileURLWithPath: file)
            let partial = target.appendingPathExtension("part")
            try Data(image).write(to: partial)
            if FileManager.default.fileExists(atPath: target.path) {
                _ = try FileManager.default.replaceItemAt(target, withItemAt: partial)
            } else {
                try FileManager.default.moveItem(at: partial, to: target)
            }
            print("saved \(image.count) bytes at revision \(revision) to \(file)")
        }
    }

    struct Restore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a new member's data directory from a saved snapshot.",
            discussion: "Restore each founding member of the new cluster from the same file, then start them with `store run`.")
        @Argument(help: "The snapshot file written by `snapshot save`.")
        var file: String
        @Option(name: .long, help: "The new (empty) data directory.")
        var dataDir: String
        @Option(name: .long, help: "This member's name.")
        var name: String
        @Option(name: .long, help: "The new cluster's members: name=host:port,…")
        var initialCluster: String
        @Option(name: .long, help: "Distinguishes clusters whose members have the same names.")
        var initialClusterToken: String = "skiff"

        func run() async throws {
            do {
                let members = try NodeConfiguration.parseInitialCluster(initialCluster)
                guard let me = members.first(where: { $0.name == name }) else {
                    throw StoreCommandFailure("--initial-cluster does not list this member '\(name)'")
                }
                var configuration = NodeConfiguration(
                    name: name, dataDirectory: URL(fileURLWithPath: dataDir, isDirectory: true), clientURL: "",
                    peerAddress: me.address, initialCluster: members)
                configuration.clusterToken = initialClusterToken
                try StoreRestore.restore(imageFile: URL(fileURLWithPath: file), configuration: configuration)
            } catch let error as NodeError {
                throw StoreCommandFailure("\(error)")
            }
            print("restored \(file) into \(dataDir) as member \(name)")
        }
    }
}
