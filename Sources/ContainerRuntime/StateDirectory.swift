import Foundation
import LinuxSystem
import OCI

/// The runtime's state root (like runc's /run/runc): one directory per container id.
public struct StateDirectory: Sendable {
    public static let defaultRoot = "/run/skiff/runtime"

    public let root: String

    public init(root: String = StateDirectory.defaultRoot) {
        self.root = root
    }

    public func directory(_ id: String) -> String { root + "/" + id }
    func recordPath(_ id: String) -> String { directory(id) + "/state.json" }
    func exitPath(_ id: String) -> String { directory(id) + "/exit.json" }
    func fifoPath(_ id: String) -> String { directory(id) + "/exec.fifo" }
    func configPath(_ id: String) -> String { directory(id) + "/config.json" }
    func rootfsMountpoint(_ id: String) -> String { directory(id) + "/rootfs" }
    func hooksPath(_ id: String) -> String { directory(id) + "/hooks.json" }

    /// Container ids become directory names: keep them to a safe alphabet.
    static func validate(id: String) throws(RuntimeError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-+")
        guard !id.isEmpty, id.count <= 1024, id != ".", id != "..", id.allSatisfy(allowed.contains) else {
            throw .invalidSpec("container id \(id.debugDescription) must be letters, digits, _ . - +")
        }
    }

    /// Creates `<root>/<id>`; fails if the container exists.
    func create(id: String) throws(RuntimeError) {
        try Self.validate(id: id)
        do {
            try Files.makeDirectories(root, mode: 0o711)
        } catch { throw .system(error) }
        if mkdir(directory(id), 0o711) != 0 {
            if errno == EEXIST { throw .containerExists(id) }
            throw .system(.current("mkdir \(directory(id))"))
        }
    }

    func save(_ record: ContainerRecord) throws(RuntimeError) {
        let data: Data
        do { data = try JSONEncoder().encode(record) } catch { throw .invalidSpec("encoding state: \(error)") }
        do { try Files.writeAtomically(recordPath(record.id), [UInt8](data)) } catch { throw .system(error) }
    }

    func load(_ id: String) throws(RuntimeError) -> ContainerRecord {
        try Self.validate(id: id)
        let bytes: [UInt8]?
        do { bytes = try Files.read(recordPath(id)) } catch { throw .system(error) }
        guard let bytes else { throw .containerNotFound(id) }
        do { return try JSONDecoder().decode(ContainerRecord.self, from: Data(bytes)) } catch {
            throw .invalidState(id: id, status: "unreadable (\(recordPath(id)): \(error))", operation: "load")
        }
    }

    /// Keeps the hooks later commands run (poststart by `start`, poststop by `delete`), only
    /// when there are any, so those commands pay one failed open otherwise.
    func saveHooks(_ id: String, _ hooks: RuntimeSpec.Hooks?) throws(RuntimeError) {
        guard let hooks, hooks.poststart?.isEmpty == false || hooks.poststop?.isEmpty == false else { return }
        var kept = hooks
        kept.prestart = nil
        kept.createRuntime = nil
        kept.createContainer = nil
        kept.startContainer = nil
        let data: Data
        do { data = try JSONEncoder().encode(kept) } catch { throw .invalidSpec("encoding hooks: \(error)") }
        do { try Files.writeAtomically(hooksPath(id), [UInt8](data), mode: 0o600) } catch { throw .system(error) }
    }

    func loadHooks(_ id: String) -> RuntimeSpec.Hooks? {
        guard let bytes = try? Files.read(hooksPath(id)) else { return nil }
        return try? JSONDecoder().decode(RuntimeSpec.Hooks.self, from: Data(bytes))
    }

    func loadExit(_ id: String) -> ContainerExit? {
        guard let bytes = try? Files.read(exitPath(id)) else { return nil }
        return try? JSONDecoder().decode(ContainerExit.self, from: Data(bytes))
    }

    /// Every container id under the root.
    func ids() -> [String] {
        Files.list(root).filter { Files.exists(recordPath($0)) }.sorted()
    }

    func remove(_ id: String) throws(RuntimeError) {
        do { try Files.removeTree(directory(id)) } catch { throw .system(error) }
    }
}
