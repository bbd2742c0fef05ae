import Foundation
import ArgumentParser
import KVStore

/// `skiff store …`: run a store member, or talk to one like etcdctl does.
struct StoreGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Run a replicated store member, or read, write and administer a running store.",
        discussion: """
            The client commands speak etcd's v3 JSON gateway, so they work against skiff and etcd alike.

            Examples:
              skiff store run --name n1 --data-dir /var/lib/skiff/store \\
                  --listen-client http://127.0.0.1:2379 --listen-peer 127.0.0.1:2380 \\
                  --initial-cluster n1=127.0.0.1:2380
              skiff store put greeting hello
              skiff store get greeting --prefix
              skiff store member list
              skiff store snapshot save backup.snap
            """,
        subcommands: [
            StoreRun.self, StoreGet.self, StorePut.self, StoreDel.self, StoreWatch.self,
            StoreMember.self, StoreSnapshot.self, StoreStatus.self,
        ]
    )
}

/// Where the client commands send their requests.
struct StoreEndpointOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "Comma-separated client URLs of store members, tried in order.")
    var endpoints: String = "http://127.0.0.1:2379"

    @Option(name: .long, help: "Seconds to wait for an answer.")
    var timeout: Int = 10

    func client() throws -> GatewayClient {
        let list = endpoints.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
        guard !list.isEmpty, list.allSatisfy({ $0.hasPrefix("http://") || $0.hasPrefix("https://") }) else {
            throw ValidationError("--endpoints must be a comma-separated list of http:// URLs, got '\(endpoints)'")
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive, got \(timeout)") }
        return GatewayClient(endpoints: list, timeout: .seconds(Int64(timeout)))
    }
}


/// How the store commands print keys, values and responses.
enum StoreOutput {
    /// UTF-8 text as is; anything else as hex, so binary values never garble the terminal.
    static func text(_ bytes: [UInt8]) -> String {
        if let string = String(validating: bytes, as: UTF8.self), !string.contains(where: { $0.isASCII && $0.asciiValue.map { $0 < 0x20 && $0 != 0x0a && $0 != 0x09 } == true }) {
            return string
        }
        return "0x" + bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func hexID(_ id: UInt64) -> String { String(id, radix: 16) }

    static func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}

/// A failure while running a store command (not a usage error): printed as `Error: …`
/// without the usage text.
struct StoreCommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
