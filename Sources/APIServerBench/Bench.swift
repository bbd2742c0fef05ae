// Load generator for Scripts/bench/apiserver: drives a live skiff apiserver over HTTPS with the
// admin client certificate and prints one JSON object per measurement on stdout.
//
//   APIServerBench verbs   --server URL --data-dir D [--clients N] [--seconds S]
//   APIServerBench paced   --server URL --data-dir D [--rate R] [--seconds S]
//   APIServerBench watch   --server URL --data-dir D [--watchers N] [--rate R] [--events E]
import Foundation

@main
struct APIServerBench {
    static func main() async {
        do {
            let options = try BenchOptions(arguments: Array(CommandLine.arguments.dropFirst()))
            let client = try BenchClient(server: options.server, dataDirectory: options.dataDirectory,
                                         connections: max(options.clients, options.watchers) + 8)
            do {
                switch options.mode {
                case .verbs:
                    for result in try await VerbLoad(client: client, clients: options.clients, seconds: options.seconds).run() {
                        print(result.json)
                    }
                case .paced:
                    print(try await PacedLoad(client: client, rate: options.rate, seconds: options.seconds).run().json)
                case .watch:
                    print(try await WatchFanout(client: client, watchers: options.watchers, rate: options.rate,
                                                events: options.events).run().json)
                }
                try await client.shutdown()
            } catch {
                try? await client.shutdown()
                throw error
            }
        } catch {
            FileHandle.standardError.write(Data("APIServerBench: \(error)\n".utf8))
            exit(1)
        }
    }
}
