import ArgumentParser
import KVStore

/// `skiff store get KEY [--prefix|--range-end END]`.
struct StoreGet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Print a key's value, or every key in a range or under a prefix.")

    @OptionGroup var endpoint: StoreEndpointOptions

    @OptionGroup var range: StoreKeyRangeOptions

    @Option(name: .long, help: "Read the keyspace as of this revision.")
    var revision: Int64 = 0

    @Option(name: .long, help: "Return at most this many keys (0: no limit).")
    var limit: Int64 = 0

    @Flag(name: .long, help: "Serve from the contacted member without a quorum round (may be stale).")
    var serializable = false

    @Flag(name: .long, help: "Print keys only.")
    var keysOnly = false

    @Flag(name: .long, help: "Print the whole response as JSON, with revisions.")
    var json = false

    func validate() throws {
        if revision < 0 { throw ValidationError("--revision must not be negative, got \(revision)") }
        if limit < 0 { throw ValidationError("--limit must not be negative, got \(limit)") }
    }

    func run() async throws {
        let client = try endpoint.client()
        let keyBytes = range.keyBytes
        let end = range.endBytes
        let response = try await client.range(
            KV.RangeRequest(
                key: keyBytes, rangeEnd: end, limit: limit, revision: revision,
                serializable: serializable, keysOnly: keysOnly))
        if json {
            print(try StoreOutput.json(response))
            return
        }
        for kv in response.kvs {
            print(StoreOutput.text(kv.key))
            if !keysOnly { print(StoreOutput.text(kv.value)) }
        }
    }
}
