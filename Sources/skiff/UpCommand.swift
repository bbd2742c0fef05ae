import ArgumentParser
import Cluster
import Foundation

/// `skiff up`: flags only; `ClusterUp` does the work.
struct UpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Start a single-node cluster in the background and point kubectl at it.",
        discussion: """
            On first use creates the data directory and the cluster's certificates; starts
            'skiff server' (store, apiserver, scheduler, controllers, registry and node agent)
            in the background with its output in <data-dir>/server.log; loads the image
            archives of Scripts/build-images (Images/out) into the embedded registry; waits
            until the node is Ready; and merges the context skiff-<name> into ~/.kube/config
            (or $KUBECONFIG). Run again on the same data directory to bring the same cluster
            back with its objects; when it already runs, nothing changes.

            Ports and names are remembered in <data-dir>/cluster.json: the flags below only
            matter on the first 'skiff up' of a data directory.

            Examples:
              skiff up
              skiff up --name dev --data-dir /tmp/dev --api-port 7443 --registry-port 5001
              skiff down --name dev --purge
            """)

    @OptionGroup var cluster: ClusterSelectionOptions

    @Option(name: .long, help: "The node's name (default: the host name).")
    var nodeName: String?

    @Option(name: .long, help: "Port of the Kubernetes API (HTTPS) on 127.0.0.1.")
    var apiPort: Int = 6443

    @Option(name: .long, help: "Port of the embedded OCI registry on 127.0.0.1.")
    var registryPort: Int = 5000

    @Option(name: .long, help: "Client port of the store member; its peer port is the next one.")
    var storePort: Int = 2379

    @Option(name: .long, help: "Port of the node agent's streaming server (logs, exec, port-forward).")
    var kubeletPort: Int = 10250

    @Option(name: .long, help: "Range of the pod addresses (a /24 per node).")
    var clusterCidr: String = "10.42.0.0/16"

    @Option(name: .long, help: "Name of the node's bridge for pods.")
    var bridgeName: String = "skiff0"

    @Option(name: .long, help: "Cgroup under which the node's pods live.")
    var cgroupRoot: String = "skiff"

    @Option(name: .long, help: "Directory of image archives to load (default: Images/out of the checkout).")
    var images: String?

    @Option(name: .long, help: "Kubeconfig to merge the context into (default: $KUBECONFIG or ~/.kube/config).")
    var kubeconfig: String?

    @Option(name: .long, help: "Seconds to wait for the server and for the node to be Ready.")
    var timeout: Int = 180

    func validate() throws {
        for (flag, port) in [("--api-port", apiPort), ("--registry-port", registryPort), ("--store-port", storePort),
                             ("--kubelet-port", kubeletPort)] {
            guard (1...65534).contains(port) else {
                throw ValidationError("\(flag) \(port) must be a fixed port from 1 to 65534 (the next 'skiff up' reuses it)")
            }
        }
        guard timeout > 0 else { throw ValidationError("--timeout must be positive") }
        do {
            try settings().serverOptions.validate()
        } catch let error as ClusterError {
            throw ValidationError(error.description)
        }
    }

    func settings() throws -> ClusterSettings {
        if let saved = try ClusterSettings.load(dataDirectory: cluster.dataDirectory) { return saved }
        var settings = ClusterSettings(clusterName: cluster.name, dataDirectory: cluster.dataDirectory, nodeName: nodeName)
        settings.apiPort = apiPort
        settings.registryPort = registryPort
        settings.storeClientPort = storePort
        settings.storePeerPort = storePort + 1
        settings.kubeletPort = kubeletPort
        settings.clusterCIDR = clusterCidr
        settings.bridgeName = bridgeName
        settings.cgroupRoot = cgroupRoot
        return settings
    }

    func run() async throws {
        do {
            var up = ClusterUp(settings: try settings(), imagesDirectory: images, kubeconfigPath: kubeconfig)
            up.readyTimeout = .seconds(timeout)
            try await up.run()
        } catch {
            FileHandle.standardError.write(Data("skiff up: \(error)\n".utf8))
            throw ExitCode.failure
        }
    }
}
