import Foundation
import ImageStore
import OCI

/// Loads the image archives `Scripts/build-images` writes (`Images/out/*.oci.tar`) into the
/// cluster's embedded registry, so pods can run `busybox` and `hello` without a network.
/// The archives are loaded into a staging image store, then pushed with the registry client
/// (blobs the registry has are skipped, so a second `skiff up` pushes nothing new).
struct SeedImages {
    let archivesDirectory: String
    let storeRoot: String
    let registryPort: Int

    /// Where the archives are when no directory is given: `Images/out` in the working
    /// directory, or in a parent of the executable's directory (a `.build/…/skiff` of a
    /// checkout finds the checkout's images).
    static func defaultArchivesDirectory(executable: String?) -> String? {
        var candidates = [FileManager.default.currentDirectoryPath]
        if let executable {
            var directory = (executable as NSString).deletingLastPathComponent
            while directory != "/" && !directory.isEmpty {
                candidates.append(directory)
                directory = (directory as NSString).deletingLastPathComponent
            }
        }
        return candidates.map { ($0 as NSString).appendingPathComponent("Images/out") }
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    func archives() throws -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: archivesDirectory)
        } catch {
            throw ClusterError.startup("cannot read the image archives in \(archivesDirectory): \(error.localizedDescription)")
        }
        return names.filter { $0.hasSuffix(".tar") || $0.hasSuffix(".tar.gz") || $0.hasSuffix(".tgz") }.sorted()
            .map { (archivesDirectory as NSString).appendingPathComponent($0) }
    }

    /// The repository names an image is pushed under: `busybox` and `library/busybox` for an
    /// image named `busybox:latest`, so a pod may spell it either way.
    static func destinations(for name: String, registry: String) throws -> [ImageReference] {
        let reference = try ImageReference(parsing: name)
        var repositories = [reference.repository]
        if reference.registry == ImageReference.dockerHub, reference.repository.hasPrefix("library/") {
            repositories.append(String(reference.repository.dropFirst("library/".count)))
        }
        return repositories.map {
            ImageReference(registry: registry, repository: $0, tag: reference.tag ?? ImageReference.defaultTag)
        }
    }

    /// Loads and pushes every archive; returns the names pushed.
    func run() async throws -> [String] {
        let store = try ImageStore(root: storeRoot)
        let client = RegistryClient(store: store)
        var pushed: [String] = []
        do {
            for archive in try archives() {
                for image in try store.load(archive: archive) {
                    guard let name = image.name else { continue }
                    for destination in try Self.destinations(for: name, registry: "127.0.0.1:\(registryPort)") {
                        _ = try await client.push(name, to: destination)
                    }
                    pushed.append(try ImageReference(parsing: name).repository.replacingOccurrences(of: "library/", with: ""))
                }
            }
        } catch {
            try? await client.shutdown()
            throw error
        }
        try? await client.shutdown()
        return pushed
    }
}
