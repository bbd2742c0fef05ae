import ArgumentParser
import Cluster
import Foundation
import Logging

/// `skiff server`: the control plane of a cluster in the foreground. Only flags live here;
/// `ClusterServer` does the work.
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run a cluster's server (store member, apiserver, scheduler, controllers, registry, node agent) in the foreground.",
        discussion: """
            Creates the data directory, the cluster CA and certificates on first start, runs a
            store member (a single-member store unless --initial-cluster or --join is given),
            the Kubernetes API on HTTPS, the OCI registry on 127.0.0.1, the scheduler and the
            controller manager (each while it holds its leader lease) and, unless
            --disable-agent, a node agent for a node named after --name. Writes
            <data-dir>/admin.kubeconfig (context skiff-<cluster>) and prints one line when
            kubectl can connect. SIGINT/SIGTERM stop it gracefully; pods keep running (a
            restarted server adopts them; 'skiff down' stops them). 'skiff up' runs this in
            the background for you.

            Examples:
              skiff server --data-dir /tmp/skiff && kubectl --kubeconfig /tmp/skiff/admin.kubeconfig get ns
              skiff server --name s1 --data-dir /var/lib/skiff/s1 --api-port 6443 \\
                  --store-listen-client http://127.0.0.1:2379 --store-listen-peer 127.0.0.1:2380 \\
                  --initial-cluster s1=127.0.0.1:2380,s2=127.0.0.1:2382,s3=127.0.0.1:2384
            """)

    @Option(name: .long, help: "Directory for the store, PKI and kubeconfig (default /var/lib/skiff/<cluster-name>).")
    var dataDir: String?

    @Option(name: .long, help: "The cluster's name; the kubeconfig context is skiff-<name>.")
    var clusterName: String = "default"

    @Option(name: .long, help: "This member's name, unique in the cluster (default: the host name).")
    var name: String?

    @Option(name: .long, help: "Port of the Kubernetes API (HTTPS); 0 picks a free one.")
    var apiPort: Int = 6443

    @Option(name: .long, help: "Address the Kubernetes API binds.")
    var bind: String = "127.0.0.1"

    @Option(name: .long, help: "URL of the store member's HTTP/JSON endpoint (for skiff store and --join).")
    var storeListenClient: String = "http://127.0.0.1:2379"

    @Option(name: .long, help: "host:port of the store member's peer (Raft) listener.")
    var storeListenPeer: String = "127.0.0.1:2380"

    @Option(name: .long, help: "Founding store members: name=host:port,… (this member included).")
    var initialCluster: String?

    @Option(name: .long, help: "Store client URL of a running member to join through.")
    var join: String?

    @Option(name: .long, help: "Heartbeat interval of the store in milliseconds.")
    var heartbeatInterval: Int = 100

    @Option(name: .long, help: "Election timeout of the store in milliseconds.")
    var electionTimeout: Int = 1000

    @Option(name: .long, help: "Snapshot the store every this many applied entries.")
    var snapshotCount: UInt64 = 10_000

    @Flag(name: .long, help: "Run no node agent on this server (control plane only).")
    var disableAgent = false

    @Option(name: .long, help: "Port of the embedded OCI registry on 127.0.0.1; 0 picks a free one.")
    var registryPort: Int = 5000

    @Option(name: .long, help: "The node's address: its InternalIP, where the apiserver reaches the agent.")
    var nodeIp: String = "127.0.0.1"

    @Option(name: .long, help: "Port of the node agent's streaming server (logs, exec, port-forward).")
    var kubeletPort: Int = 10250

    @Option(name: .long, help: "Range the nodes' pod CIDRs (a /24 each) are cut from.")
    var clusterCidr: String = "10.42.0.0/16"

    @Option(name: .long, help: "Name of the node's bridge for pods.")
    var bridgeName: String = "skiff0"

    @Option(name: .long, help: "Cgroup under which the node's pods live.")
    var cgroupRoot: String = "skiff"

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "notice"

    func validate() throws {
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level '\(logLevel)' is not one of trace, debug, info, notice, warning, error, critical")
        }
        do {
            try options().validate()
        } catch let error as ClusterError {
            throw ValidationError(error.description)
        }
    }

    func options() -> ServerOptions {
        var options = ServerOptions(clusterName: clusterName, dataDirectory: dataDir, memberName: name)
        options.apiBindAddress = bind
        options.apiPort = apiPort
        options.storeClientURL = storeListenClient
        options.storePeerAddress = storeListenPeer
        options.initialCluster = initialCluster
        options.join = join
        options.heartbeatIntervalMilliseconds = heartbeatInterval
        options.electionTimeoutMilliseconds = electionTimeout
        options.snapshotCount = snapshotCount
        options.agentEnabled = !disableAgent
        options.registryPort = registryPort
        options.nodeIP = nodeIp
        options.kubeletPort = kubeletPort
        options.clusterCIDR = clusterCidr
        options.bridgeName = bridgeName
        options.cgroupRoot = cgroupRoot
        return options
    }

    func run() async throws {
        var logger = Logger(label: "skiff.server")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .notice
        do {
            let server = try ClusterServer(options: options(), logger: logger)
            try await server.run { ready in
                // One write of the whole line, unbuffered: scripts wait for it on a pipe.
                FileHandle.standardOutput.write(Data("skiff server ready: \(ready.url) kubeconfig \(ready.kubeconfigPath)\n".utf8))
            }
        } catch {
            FileHandle.standardError.write(Data("skiff server: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
