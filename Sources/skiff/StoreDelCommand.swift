import ArgumentParser
import KVStore

/// `skiff store del KEY [--prefix|--range-end END]`.
struct StoreDel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "del", abstract: "Delete a key, or every key in a range or under a prefix; prints how many.")

    @OptionGroup var endpoint: StoreEndpointOptions

    @Argument(help: "The key (or the first key of the range).")
    var key: String

    @Option(name: .long, help: "End of the range, exclusive.")
    var rangeEnd: String?

    @Flag(name: .long, help: "Every key that starts with KEY.")
    var prefix = false

    func validate() throws {
        if prefix && rangeEnd != nil { throw ValidationError("--prefix and --range-end cannot be combined") }
    }

    func run() async throws {
        let client = try endpoint.client()
        let keyBytes = Array(key.utf8)
        let end: [UInt8] = prefix ? KV.prefixEnd(of: keyBytes) : rangeEnd.map { Array($0.utf8) } ?? []
        let response = try await client.deleteRange(KV.DeleteRangeRequest(key: keyBytes, rangeEnd: end))
        print(response.deleted)
    }
}
