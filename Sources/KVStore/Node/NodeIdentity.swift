import Foundation
import Raft

/// Who this member is, fixed the first time it starts with a data directory
/// (`member.json`): later starts ignore `--initial-cluster` and `--join` for identity.
struct NodeIdentity: Codable, Sendable {
    var id: NodeID
    var name: String
    var clusterToken: String
    /// True when the member joined a running cluster (it must not bootstrap a new one).
    var joined: Bool

    static func load(from url: URL) throws -> NodeIdentity? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        do {
            return try JSONDecoder().decode(NodeIdentity.self, from: Data(contentsOf: url))
        } catch {
            throw NodeError.corruptState(file: url.path, detail: "\(error)")
        }
    }

    func save(to url: URL) throws {
        try DurableFile.write(try JSONEncoder().encode(self), to: url)
    }
}
