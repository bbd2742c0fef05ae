import ArgumentParser
import Cluster

/// Which cluster `skiff up`, `down` and `status` act on: a name and, optionally, a data
/// directory other than `/var/lib/skiff/<name>`.
struct ClusterSelectionOptions: ParsableArguments {
    @Option(name: .long, help: "The cluster's name; the kubeconfig context is skiff-<name>.")
    var name: String = "default"

    @Option(name: .long, help: "The cluster's data directory (default /var/lib/skiff/<name>).")
    var dataDir: String?

    var dataDirectory: String { dataDir ?? ServerOptions.defaultDataDirectory(clusterName: name) }

    /// The settings saved by the last `skiff up` of this data directory, or fresh ones.
    func settings() throws -> ClusterSettings {
        do {
            if let saved = try ClusterSettings.load(dataDirectory: dataDirectory) { return saved }
        } catch let error as ClusterError {
            throw ValidationError(error.description)
        }
        return ClusterSettings(clusterName: name, dataDirectory: dataDirectory)
    }
}
