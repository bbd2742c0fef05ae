import ArgumentParser
import KVStore

/// `skiff store del KEY [--prefix|--range-end END]`.
struct StoreDel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "del", abstract: "Delete a key, or every key in a range or under a prefix; prints how many.")

    @OptionGroup var endpoint: StoreEndpointOptions

    @OptionGroup var range: StoreKeyRangeOptions

    func run() async throws {
        let client = try endpoint.client()
        let keyBytes = range.keyBytes
        let end = range.endBytes
        let response = try await client.deleteRange(KV.DeleteRangeRequest(key: keyBytes, rangeEnd: end))
        print(response.deleted)
    }
}
