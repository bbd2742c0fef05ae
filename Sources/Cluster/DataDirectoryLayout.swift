import Foundation

/// Where a server keeps things under its data directory. One place, so that `skiff server`,
/// later `skiff up`/`down` and the tests agree on the paths.
public struct DataDirectoryLayout: Sendable, Hashable {
    public var root: String

    public init(root: String) {
        self.root = root
    }

    /// The store member's WAL, snapshots and member files.
    public var store: String { path("store") }
    /// The kubeconfig of the admin user (client certificate, `system:masters`).
    public var adminKubeconfig: String { path("admin.kubeconfig") }

    /// The embedded registry's blobs, manifests and tags.
    public var registry: String { path("registry") }
    /// The node agent's own directory (runtime state, images, pods, logs, volumes).
    public var agent: String { path("agent") }
    /// The running server's process id, written when it starts and removed when it stops.
    public var pidFile: String { path("server.pid") }
    /// Where `skiff up` sends the background server's output.
    public var serverLog: String { path("server.log") }
    /// The settings `skiff up` started the cluster with, so the next `up`, `down` and
    /// `status` find the same ports and names.
    public var settings: String { path("cluster.json") }
    /// The image store `skiff up` loads the image archives into before pushing them.
    public var seedImages: String { path("seed-images") }

    func path(_ component: String) -> String {
        (root as NSString).appendingPathComponent(component)
    }
}
