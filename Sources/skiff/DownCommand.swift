import ArgumentParser
import Cluster
import Foundation

/// `skiff down`: flags only; `ClusterDown` does the work.
struct DownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "down",
        abstract: "Stop a cluster started by 'skiff up': its server, its pods, and everything they set up on the machine.",
        discussion: """
            Stops the server (SIGTERM, SIGKILL after --timeout seconds), then the pods, and
            removes their mounts, network namespaces, cgroups, nftables tables, the bridge and
            the routes. The data stays: 'skiff up' brings the cluster back with its objects.
            --purge also deletes the data directory and the kubeconfig context skiff-<name>.

            Examples:
              skiff down
              skiff down --name dev --data-dir /tmp/dev --purge
            """)

    @OptionGroup var cluster: ClusterSelectionOptions

    @Flag(name: .long, help: "Also delete the data directory and the kubeconfig context.")
    var purge = false

    @Option(name: .long, help: "Kubeconfig to remove the context from (default: $KUBECONFIG or ~/.kube/config).")
    var kubeconfig: String?

    @Option(name: .long, help: "Seconds to wait for the server to stop before killing it.")
    var timeout: Int = 30

    func run() async throws {
        do {
            var down = ClusterDown(settings: try cluster.settings(), purge: purge, kubeconfigPath: kubeconfig)
            down.stopTimeout = .seconds(timeout)
            try await down.run()
        } catch {
            FileHandle.standardError.write(Data("skiff down: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
