import ArgumentParser
import KVStore

/// The key-or-range arguments shared by `skiff store get`, `del` and `watch`: one key, a
/// `[key, --range-end)` range, or every key under a `--prefix`.
struct StoreKeyRangeOptions: ParsableArguments {
    @Argument(help: "The key (or the first key of the range).")
    var key: String

    @Option(name: .long, help: "End of the range, exclusive.")
    var rangeEnd: String?

    @Flag(name: .long, help: "Every key that starts with KEY.")
    var prefix = false

    func validate() throws {
        if prefix && rangeEnd != nil { throw ValidationError("--prefix and --range-end cannot be combined") }
    }

    /// The key as bytes.
    var keyBytes: [UInt8] { Array(key.utf8) }

    /// The exclusive end of the range in the store's terms: empty for a single key.
    var endBytes: [UInt8] {
        prefix ? KV.prefixEnd(of: keyBytes) : rangeEnd.map { Array($0.utf8) } ?? []
    }
}
