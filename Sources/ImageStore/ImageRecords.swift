#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Foundation
import OCI

/// A named image: a reference pointing at a manifest or index in the content store.
public struct ImageRecord: Codable, Sendable, Equatable {
    /// The normalised reference (`docker.io/library/busybox:latest`).
    public var name: String
    /// The manifest or index the name points at.
    public var target: Descriptor
    /// When the record was written, RFC 3339.
    public var updated: String

    public init(name: String, target: Descriptor, updated: String) {
        self.name = name
        self.target = target
        self.updated = updated
    }
}

/// Image records as one small JSON file each under `<root>/images/`, written atomically, so
/// concurrent writers of different names never contend and a crash never leaves half a record.
public struct ImageRecords: Sendable {
    public let directory: String

    public init(root: String) throws {
        directory = "\(root)/images"
        try FS.mkdirs(directory)
    }

    private func file(for name: String) throws -> String {
        // Names contain '/' and ':'; the file is named by a hash of the name instead.
        "\(directory)/\(try Digest.sha256(of: Array(name.utf8)).encoded).json"
    }

    public func put(_ name: String, target: Descriptor) throws {
        let record = ImageRecord(name: name, target: target, updated: ISO8601DateFormatter().string(from: Date()))
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        try FS.atomicWrite(Array(try enc.encode(record)), to: try file(for: name))
    }

    public func get(_ name: String) throws -> ImageRecord? {
        let f = try file(for: name)
        guard FS.exists(f) else { return nil }
        return try JSONDecoder().decode(ImageRecord.self, from: Data(try FS.readFile(f)))
    }

    @discardableResult
    public func remove(_ name: String) throws -> Bool {
        let f = try file(for: name)
        guard FS.exists(f) else { return false }
        try FS.check(unlink(f), "unlink \(f)")
        try FS.fsyncDir(directory)
        return true
    }

    /// Every record, sorted by name. A file that does not decode (not written by this code:
    /// writes are atomic) is skipped rather than hiding every other image.
    public func list() -> [ImageRecord] {
        FS.listDir(directory).filter { $0.hasSuffix(".json") }.compactMap { f in
            (try? FS.readFile("\(directory)/\(f)")).flatMap { try? JSONDecoder().decode(ImageRecord.self, from: Data($0)) }
        }.sorted { $0.name < $1.name }
    }
}
