import ArgumentParser
import Foundation
import KVStore

/// `skiff store watch KEY [--prefix] [--rev N]`: prints events until interrupted.
struct StoreWatch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Print every change to a key, range or prefix as it happens.")

    @OptionGroup var endpoint: StoreEndpointOptions

    @OptionGroup var range: StoreKeyRangeOptions

    @Option(name: .long, help: "Replay history from this revision (0: only new changes).")
    var rev: Int64 = 0

    func validate() throws {
        if rev < 0 { throw ValidationError("--rev must not be negative, got \(rev)") }
    }

    func run() async throws {
        let client = try endpoint.client()
        let keyBytes = range.keyBytes
        let end = range.endBytes
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
