import ArgumentParser
import Foundation
import KVStore

/// `skiff store watch KEY [--prefix] [--rev N]`: prints events until interrupted.
struct StoreWatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Print every change to a key, range or prefix as it happens.")

    @OptionGroup var endpoint: StoreEndpointOptions

    @Argument(help: "The key (or the first key of the range).")
    var key: String

    @Option(name: .long, help: "End of the range, exclusive.")
    var rangeEnd: String?

    @Flag(name: .long, help: "Every key that starts with KEY.")
    var prefix = false

    @Option(name: .long, help: "Replay history from this revision (0: only new changes).")
    var rev: Int64 = 0

    func validate() throws {
        if prefix && rangeEnd != nil { throw ValidationError("--prefix and --range-end cannot be combined") }
        if rev < 0 { throw ValidationError("--rev must not be negative, got \(rev)") }
    }

    func run() async throws {
        let client = try endpoint.client()
        let keyBytes = Array(key.utf8)
        let end: [UInt8] = prefix ? KV.prefixEnd(of: keyBytes) : rangeEnd.map { Array($0.utf8) } ?? []
        for try await response in client.watch(
            KV.WatchCreateRequest(key: keyBytes, rangeEnd: end, startRevision: rev))
        {
            if response.canceled {
                throw StoreCommandFailure(
                    "watch canceled by the server: \(response.cancelReason ?? "compacted at revision \(response.compactRevision)")")
            }
            for event in response.events {
                guard let kv = event.kv else { continue }
                print(event.effectiveType.rawValue)
                print(StoreOutput.text(kv.key))
                if event.effectiveType == .put { print(StoreOutput.text(kv.value)) }
            }
            // Events must reach a pipe as they happen, not when the buffer fills (nil: all streams).
            fflush(nil)
        }
    }
}
