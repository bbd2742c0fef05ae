import Foundation

/// Everything `skiff server` needs to start, as plain values: the command parses flags into
/// this, `ClusterServer` turns it into running parts. No behaviour beyond defaults and checks.
public struct ServerOptions: Sendable {
    /// The cluster's name: the kubeconfig context is `skiff-<name>` and, unless given, the data
    /// directory is `/var/lib/skiff/<name>` (k3s' layout).
    public var clusterName: String
    /// Root of everything this member keeps: `pki/`, `store/`, `token`, `admin.kubeconfig`.
    public var dataDirectory: String
    /// This member's (and later this node's) name; unique within the cluster.
    public var memberName: String

    /// Address the apiserver binds (loopback by default: a dev cluster is not exposed by accident).
    public var apiBindAddress: String = "127.0.0.1"
    /// The apiserver's port; 0 binds an ephemeral port (reported in the ready line).
    public var apiPort: Int = 6443

    /// Where the store member's HTTP/JSON endpoint listens (`skiff store` talks to it, and
    /// members joining with `--join` go through it).
    public var storeClientURL: String = "http://127.0.0.1:2379"
    /// host:port of the store's Raft peer listener.
    public var storePeerAddress: String = "127.0.0.1:2380"
    /// Founding store members `name=host:port,…`; nil means a single-member store made of this one.
    public var initialCluster: String?
    /// Client URL of a running member to join through, instead of founding a store.
    public var join: String?
    /// Distinguishes stores whose members have the same names; defaults to the cluster name.
    public var storeClusterToken: String?
    public var heartbeatIntervalMilliseconds: Int = 100
    public var electionTimeoutMilliseconds: Int = 1000
    public var snapshotCount: UInt64 = 10_000

    /// Whether this server also runs a node agent (a kubelet for a node named `memberName`).
    public var agentEnabled: Bool = true
    /// Port of the embedded OCI registry on 127.0.0.1 (plain HTTP, loopback only); 0 picks one.
    public var registryPort: Int = 5000
    /// The node's address (Node InternalIP; the apiserver dials the agent's streaming port there).
    public var nodeIP: String = "127.0.0.1"
    /// Port of the agent's streaming server (logs, exec, attach, port-forward); 0 picks one.
    public var kubeletPort: Int = 10250
    /// The range every node's pod CIDR is cut from (a /24 each).
    public var clusterCIDR: String = "10.42.0.0/16"
    /// The node's bridge; distinct names let two clusters share a machine.
    public var bridgeName: String = "skiff0"
    /// The cgroup every pod of the node lives under.
    public var cgroupRoot: String = "skiff"

    public init(clusterName: String = "default", dataDirectory: String? = nil, memberName: String? = nil) {
        self.clusterName = clusterName
        self.dataDirectory = dataDirectory ?? Self.defaultDataDirectory(clusterName: clusterName)
        self.memberName = memberName ?? Self.defaultMemberName()
    }

    /// `/var/lib/skiff/<cluster>`.
    public static func defaultDataDirectory(clusterName: String) -> String {
        "/var/lib/skiff/\(clusterName)"
    }

    /// The host's name, lowercased and cut at the first dot, as k3s names its node.
    public static func defaultMemberName() -> String {
        let host = ProcessInfo.processInfo.hostName.lowercased()
        let short = host.split(separator: ".").first.map(String.init) ?? host
        return short.isEmpty ? "skiff" : short
    }

    /// Checks the combinations a flag parser cannot: each message names the flag to fix.
    public func validate() throws {
        guard Self.isValidClusterName(clusterName) else {
            throw ClusterError.invalidOption(
                "--cluster-name '\(clusterName)' must be lowercase letters, digits and '-', starting with a letter or digit")
        }
        guard !dataDirectory.isEmpty else { throw ClusterError.invalidOption("--data-dir must not be empty") }
        guard !memberName.isEmpty else { throw ClusterError.invalidOption("--name must not be empty") }
        guard (0...65535).contains(apiPort) else {
            throw ClusterError.invalidOption("--api-port \(apiPort) is not a port number")
        }
        if initialCluster != nil && join != nil {
            throw ClusterError.invalidOption("give at most one of --initial-cluster (new store) and --join (existing store)")
        }
        guard heartbeatIntervalMilliseconds > 0 else {
            throw ClusterError.invalidOption("--heartbeat-interval must be positive, got \(heartbeatIntervalMilliseconds)")
        }
        guard electionTimeoutMilliseconds > heartbeatIntervalMilliseconds,
            electionTimeoutMilliseconds % heartbeatIntervalMilliseconds == 0
        else {
            throw ClusterError.invalidOption(
                "--election-timeout (\(electionTimeoutMilliseconds) ms) must be a multiple of, and longer than, --heartbeat-interval (\(heartbeatIntervalMilliseconds) ms)")
        }
        guard (0...65535).contains(registryPort) else {
            throw ClusterError.invalidOption("--registry-port \(registryPort) is not a port number")
        }
        guard (0...65535).contains(kubeletPort) else {
            throw ClusterError.invalidOption("--kubelet-port \(kubeletPort) is not a port number")
        }
        guard !bridgeName.isEmpty, bridgeName.count <= 15, bridgeName.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
            throw ClusterError.invalidOption("--bridge-name '\(bridgeName)' must be 1 to 15 letters, digits or '-' (a Linux interface name)")
        }
        guard !cgroupRoot.isEmpty, !cgroupRoot.hasPrefix("/"), !cgroupRoot.split(separator: "/").contains("..") else {
            throw ClusterError.invalidOption("--cgroup-root '\(cgroupRoot)' must be a relative cgroup path without '..'")
        }
        if agentEnabled {
            guard Self.isValidNodeName(memberName) else {
                throw ClusterError.invalidOption(
                    "--name '\(memberName)' is also the node's name: lowercase letters, digits, '-' and '.' only")
            }
        }
        guard snapshotCount > 0 else { throw ClusterError.invalidOption("--snapshot-count must be positive") }
        guard storeClientURL.hasPrefix("http://") else {
            throw ClusterError.invalidOption("--store-listen-client must be an http:// URL, got '\(storeClientURL)'")
        }
    }

    /// A Kubernetes object name (DNS subdomain): what a Node may be called.
    static func isValidNodeName(_ name: String) -> Bool {
        guard let first = name.first, let last = name.last, name.count <= 253 else { return false }
        return name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == ".") }
            && first != "-" && first != "." && last != "-" && last != "."
    }

    /// A DNS label: what a kubeconfig context suffix and a directory name can both carry.
    static func isValidClusterName(_ name: String) -> Bool {
        guard let first = name.first, first.isASCII, first.isLetter || first.isNumber, name.count <= 63 else { return false }
        return name.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" } && name.last != "-"
    }
}
