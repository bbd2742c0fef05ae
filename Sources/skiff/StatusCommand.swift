import ArgumentParser
import Cluster

/// `skiff status`: flags only; `ClusterStatus` does the work.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the health of a cluster started by 'skiff up'.",
        discussion: """
            The server process, the apiserver's readiness, the holders of the scheduler and
            controller-manager leases, each node's Ready condition and each store member.
            Exits non-zero when any of them is down.
            """)

    @OptionGroup var cluster: ClusterSelectionOptions

    func run() async throws {
        let (lines, healthy) = await ClusterStatus(settings: try cluster.settings()).report()
        for line in lines { print(line) }
        if !healthy { throw ExitCode.failure }
    }
}
