import Foundation
import Raft

/// A member announcing how clients reach it, as an ordinary Raft entry, so that every member
/// (and every later snapshot) knows every member's client URL. Founding members come from
/// `--initial-cluster`, which carries only peer addresses; each of them publishes its client
/// URL once it sees a leader (and again whenever the applied table disagrees with its flag).
///
/// Entry layout: one tag byte (0xA1, distinct from `StoreProposal.formatVersion`) followed by
/// the JSON of this struct. Rare and tiny, so JSON is fine.
struct MemberAttributes: Codable, Equatable {
    var id: NodeID
    var clientURL: String

    static let tag: UInt8 = 0xA1

    static func isAttributes(_ data: [UInt8]) -> Bool { data.first == tag }

    func encoded() -> [UInt8] {
        // Encoding two plain fields cannot fail.
        [Self.tag] + ((try? JSONEncoder().encode(self)).map(Array.init) ?? [])
    }

    init(id: NodeID, clientURL: String) {
        self.id = id
        self.clientURL = clientURL
    }

    init(decoding data: [UInt8]) throws {
        guard Self.isAttributes(data) else { throw StoreError.corrupt("not a member attributes entry") }
        self = try JSONDecoder().decode(Self.self, from: Data(data.dropFirst()))
    }
}
