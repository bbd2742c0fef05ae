import Foundation

/// What `skiff up` started a cluster with, kept in `<data>/cluster.json`: the next `skiff up`
/// brings back the same cluster (same ports, node, bridge), and `skiff down` and
/// `skiff status` find its server, store and node without being told again.
public struct ClusterSettings: Codable, Sendable, Hashable {
    public var clusterName: String
    public var dataDirectory: String
    public var nodeName: String
    public var apiPort: Int = 6443
    public var registryPort: Int = 5000
    public var storeClientPort: Int = 2379
    public var storePeerPort: Int = 2380
    public var kubeletPort: Int = 10250
    public var nodeIP: String = "127.0.0.1"
    public var clusterCIDR: String = "10.42.0.0/16"
    public var bridgeName: String = "skiff0"
    public var cgroupRoot: String = "skiff"

    public init(clusterName: String, dataDirectory: String? = nil, nodeName: String? = nil) {
        self.clusterName = clusterName
        self.dataDirectory = dataDirectory ?? ServerOptions.defaultDataDirectory(clusterName: clusterName)
        self.nodeName = nodeName ?? ServerOptions.defaultMemberName()
    }

    public var layout: DataDirectoryLayout { DataDirectoryLayout(root: dataDirectory) }
    public var storeClientURL: String { "http://127.0.0.1:\(storeClientPort)" }
    public var contextName: String { "skiff-\(clusterName)" }

    /// The server's options for these settings: what `skiff server` would parse from
    /// `serverArguments`.
    public var serverOptions: ServerOptions {
        var options = ServerOptions(clusterName: clusterName, dataDirectory: dataDirectory, memberName: nodeName)
        options.apiPort = apiPort
        options.registryPort = registryPort
        options.storeClientURL = storeClientURL
        options.storePeerAddress = "127.0.0.1:\(storePeerPort)"
        options.kubeletPort = kubeletPort
        options.nodeIP = nodeIP
        options.clusterCIDR = clusterCIDR
        options.bridgeName = bridgeName
        options.cgroupRoot = cgroupRoot
        return options
    }

    /// The `skiff server` command line that runs this cluster.
    public var serverArguments: [String] {
        [
            "server", "--cluster-name", clusterName, "--data-dir", dataDirectory, "--name", nodeName,
            "--api-port", "\(apiPort)", "--registry-port", "\(registryPort)",
            "--store-listen-client", storeClientURL, "--store-listen-peer", "127.0.0.1:\(storePeerPort)",
            "--kubelet-port", "\(kubeletPort)", "--node-ip", nodeIP, "--cluster-cidr", clusterCIDR,
            "--bridge-name", bridgeName, "--cgroup-root", cgroupRoot,
        ]
    }

    /// The settings saved in `dataDirectory`, or nil when the cluster was never started there.
    public static func load(dataDirectory: String) throws -> ClusterSettings? {
        let path = DataDirectoryLayout(root: dataDirectory).settings
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(ClusterSettings.self, from: data)
        } catch {
            throw ClusterError.startup("\(path) is not valid cluster settings (\(error)); fix or remove it")
        }
    }

    public func save() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let path = layout.settings
        do {
            try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw ClusterError.startup("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
