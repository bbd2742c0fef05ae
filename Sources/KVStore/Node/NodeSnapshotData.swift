import Foundation
import Raft

/// The bytes of a Raft snapshot taken by this node: the member table (so an installing
/// follower learns every peer's address) and the MVCC keyspace.
/// Layout: version (1), member table JSON length (u32 LE), member table JSON, keyspace bytes.
enum NodeSnapshotData {
    static let version: UInt8 = 1

    static func encode(members: MemberTable, keySpace: [UInt8]) -> [UInt8] {
        let table = (try? Array(JSONEncoder().encode(members))) ?? []
        var out: [UInt8] = [version]
        out.reserveCapacity(5 + table.count + keySpace.count)
        withUnsafeBytes(of: UInt32(table.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: table)
        out.append(contentsOf: keySpace)
        return out
    }

    static func decode(_ bytes: [UInt8]) throws -> (members: MemberTable, keySpace: [UInt8]) {
        guard bytes.count >= 5, bytes[0] == version else {
            throw NodeError.corruptState(file: "raft snapshot", detail: "unknown snapshot format (first byte \(bytes.first ?? 0))")
        }
        let length = Int(bytes[1]) | Int(bytes[2]) << 8 | Int(bytes[3]) << 16 | Int(bytes[4]) << 24
        guard bytes.count >= 5 + length else {
            throw NodeError.corruptState(file: "raft snapshot", detail: "member table length \(length) exceeds the snapshot")
        }
        let members: MemberTable
        do {
            members = try JSONDecoder().decode(MemberTable.self, from: Data(bytes[5..<5 + length]))
        } catch {
            throw NodeError.corruptState(file: "raft snapshot", detail: "member table: \(error)")
        }
        return (members, Array(bytes[(5 + length)...]))
    }
}

/// The context of a membership `ConfChange`: who is added (address, name) and which
/// request waits for it.
struct ConfChangeContext: Codable {
    var requestID: UInt64
    var member: MemberInfo?

    func encoded() -> [UInt8] { (try? Array(JSONEncoder().encode(self))) ?? [] }

    static func decode(_ bytes: [UInt8]) -> ConfChangeContext? {
        bytes.isEmpty ? nil : try? JSONDecoder().decode(ConfChangeContext.self, from: Data(bytes))
    }
}
