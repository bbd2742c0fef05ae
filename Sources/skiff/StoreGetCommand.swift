import ArgumentParser
import KVStore

/// `skiff store get KEY [--prefix|--range-end END]`.
struct StoreGet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get", abstract: "Print a key's value, or every key in a range or under a prefix.")

    @OptionGroup var endpoint: StoreEndpointOptions

    @Argument(help: "The key (or the first key of the range).")
    var key: String

    @Option(name: .long, help: "End of the range, exclusive.")
    var rangeEnd: String?

    @Flag(name: .long, help: "Every key that starts with KEY.")
    var prefix = false

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
        if prefix && rangeEnd != nil { throw ValidationError("--prefix and --range-end cannot be combined") }
        if revision < 0 { throw ValidationError("--revision must not be negative, got \(revision)") }
        if limit < 0 { throw ValidationError("--limit must not be negative, got \(limit)") }
    }

    func run() async throws {
        let client = try endpoint.client()
        let keyBytes = Array(key.utf8)
        let end: [UInt8] = prefix ? KV.prefixEnd(of: keyBytes) : rangeEnd.map { Array($0.utf8) } ?? []
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
