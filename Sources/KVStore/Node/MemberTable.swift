import Foundation
import Raft

/// What the cluster knows about one member beyond its Raft id: how to reach it.
public struct MemberInfo: Codable, Sendable, Hashable {
    public var id: NodeID
    public var name: String
    /// `host:port` of its peer listener.
    public var peerURL: String
    /// Its client URL, when the member announced one.
    public var clientURL: String
    public var isLearner: Bool

    public init(id: NodeID, name: String, peerURL: String, clientURL: String = "", isLearner: Bool = false) {
        self.id = id
        self.name = name
        self.peerURL = peerURL
        self.clientURL = clientURL
        self.isLearner = isLearner
    }
}

/// The membership as this member last applied it, persisted beside the WAL (`members.json`)
/// and carried inside Raft snapshots, so a restarted or snapshot-installed member knows its
/// peers' addresses before it has heard from anyone.
public struct MemberTable: Codable, Sendable, Hashable {
    public var members: [NodeID: MemberInfo] = [:]
    /// Ids removed from the cluster: never reused, and their messages are ignored.
    public var removed: Set<NodeID> = []

    public init(members: [MemberInfo] = []) {
        for member in members { self.members[member.id] = member }
    }

    public var sorted: [MemberInfo] { members.values.sorted { $0.id < $1.id } }

    static func load(from url: URL) throws -> MemberTable? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try JSONDecoder().decode(MemberTable.self, from: Data(contentsOf: url))
        } catch {
            throw NodeError.corruptState(file: url.path, detail: "\(error)")
        }
    }

    /// Writes atomically (temporary file, fsync, rename) so a crash leaves the old or the new table.
    func save(to url: URL) throws {
        try DurableFile.write(try JSONEncoder().encode(self), to: url)
    }
}

/// Member ids of a founding cluster are derived from the member names, so every founding
/// member computes the same ids from the same `--initial-cluster` flag (FNV-1a, never 0).
public enum MemberID {
    public static func derive(name: String, clusterToken: String) -> NodeID {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array(clusterToken.utf8) + [0] + Array(name.utf8) {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash == 0 ? 1 : hash
    }

    public static func random() -> NodeID {
        var id: NodeID = 0
        while id == 0 { id = NodeID.random(in: 1...NodeID.max) }
        return id
    }
}

/// Small files that must survive a crash whole: written to a temporary file, fsynced,
/// renamed over the target, directory fsynced.
enum DurableFile {
    static func write(_ data: Data, to url: URL) throws {
        let temporary = url.appendingPathExtension("tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data) else {
            throw NodeError.io(operation: "create", path: temporary.path, detail: "cannot create file")
        }
        let fd = open(temporary.path, O_RDONLY)
        if fd >= 0 {
            fsync(fd)
            close(fd)
        }
        if rename(temporary.path, url.path) != 0 {
            throw NodeError.io(operation: "rename", path: url.path, detail: String(cString: strerror(errno)))
        }
        let dir = open(url.deletingLastPathComponent().path, O_RDONLY)
        if dir >= 0 {
            fsync(dir)
            close(dir)
        }
    }
}
