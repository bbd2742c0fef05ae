import ArgumentParser
import KVStore

/// `skiff store status`: one line per endpoint.
struct StoreStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show each endpoint's member id, leader, Raft term and index, revision.")

    @OptionGroup var endpoint: StoreEndpointOptions

    func run() async throws {
        let client = try endpoint.client()
        var failed = false
        for url in client.endpoints {
            do {
                let status = try await GatewayClient(endpoints: [url]).status()
                let member = status.header?.memberID ?? 0
                print(
                    "\(url) member=\(StoreOutput.hexID(member)) leader=\(StoreOutput.hexID(status.leader))"
                        + " isLeader=\(member == status.leader) term=\(status.raftTerm) index=\(status.raftIndex)"
                        + " applied=\(status.raftAppliedIndex) revision=\(status.header?.revision ?? 0)"
                        + " dbSize=\(status.dbSize) version=\(status.version ?? "?")"
                        + (status.isLearner ? " learner" : ""))
            } catch {
                failed = true
                print("\(url) error: \(error)")
            }
        }
        if failed { throw ExitCode.failure }
    }
}
