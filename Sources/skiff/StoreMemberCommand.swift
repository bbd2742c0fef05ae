import ArgumentParser
import KVStore

/// `skiff store member list|add|remove|promote`.
struct StoreMember: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "member", abstract: "List, add, remove or promote store members.",
        subcommands: [List.self, Add.self, Remove.self, Promote.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the members: id, name, peer and client URLs.")
        @OptionGroup var endpoint: StoreEndpointOptions

        func run() async throws {
            let response = try await endpoint.client().memberList()
            for member in response.members {
                print(
                    "\(StoreOutput.hexID(member.id)), \(member.name ?? ""), \(member.peerURLs.joined(separator: ";")), "
                        + "\(member.clientURLs.joined(separator: ";")), \(member.isLearner ? "learner" : "voter")")
            }
        }
    }

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Announce a new member; then start it with --join.",
            discussion: "A new member should join as a learner and be promoted once it has caught up.")
        @OptionGroup var endpoint: StoreEndpointOptions

        @Option(name: .long, help: "The new member's peer address (host:port).")
        var peerURL: String

        @Flag(name: .long, help: "Add as a non-voting learner.")
        var learner = false

        func validate() throws {
            _ = try parsePeerAddress(peerURL, flag: "--peer-url")
        }

        func run() async throws {
            let response = try await endpoint.client().memberAdd(
                KV.MemberAddRequest(peerURLs: [peerURL], isLearner: learner))
            print("added member \(StoreOutput.hexID(response.member?.id ?? 0))")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a member by its (hex) id.")
        @OptionGroup var endpoint: StoreEndpointOptions
        @Argument(help: "The member id, in hex as `member list` prints it.")
        var id: String

        func run() async throws {
            let memberID = try parseMemberID(id)
            _ = try await endpoint.client().memberRemove(id: memberID)
            print("removed member \(id)")
        }
    }

    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Promote a learner to a voting member.")
        @OptionGroup var endpoint: StoreEndpointOptions
        @Argument(help: "The member id, in hex as `member list` prints it.")
        var id: String

        func run() async throws {
            let memberID = try parseMemberID(id)
            _ = try await endpoint.client().memberPromote(id: memberID)
            print("promoted member \(id)")
        }
    }
}

func parseMemberID(_ text: String) throws -> UInt64 {
    guard let id = UInt64(text.hasPrefix("0x") ? String(text.dropFirst(2)) : text, radix: 16), id != 0 else {
        throw ValidationError("'\(text)' is not a member id (a non-zero hex number, as `member list` prints)")
    }
    return id
}

func parsePeerAddress(_ text: String, flag: String) throws -> PeerAddress {
    do {
        return try PeerAddress(parsing: text)
    } catch {
        throw ValidationError("\(flag): \(error)")
    }
}
