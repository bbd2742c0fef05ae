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

    func path(_ component: String) -> String {
        (root as NSString).appendingPathComponent(component)
    }
}
