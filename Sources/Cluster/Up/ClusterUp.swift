import ClusterClient
import Foundation
import Logging
import PKI

/// `skiff up`: one command to a ready single-node cluster that keeps running in the
/// background. Each run either starts the cluster of the data directory (creating it on
/// first use) or, when it already runs, says so and changes nothing.
public struct ClusterUp: Sendable {
    public var settings: ClusterSettings
    /// Directory of the image archives to load; nil looks for `Images/out`.
    public var imagesDirectory: String?
    /// Where the kubeconfig context is merged; nil follows kubectl's rules (`$KUBECONFIG`,
    /// then `~/.kube/config`).
    public var kubeconfigPath: String?
    public var readyTimeout: Duration = .seconds(180)
    let progress: StepProgress

    public init(settings: ClusterSettings, imagesDirectory: String? = nil, kubeconfigPath: String? = nil,
                progress: StepProgress = StepProgress()) {
        self.settings = settings
        self.imagesDirectory = imagesDirectory
        self.kubeconfigPath = kubeconfigPath
        self.progress = progress
    }

    public func run() async throws {
        let layout = settings.layout
        try settings.serverOptions.validate()
        if let pid = PIDFile(path: layout.pidFile).runningProcess() {
            progress.line("Cluster \"\(settings.clusterName)\" is already running (server pid \(pid), data \(settings.dataDirectory)); nothing to do.")
            progress.line("Use 'skiff status --name \(settings.clusterName)' to see its health, 'skiff down --name \(settings.clusterName)' to stop it.")
            return
        }
        let firstRun = !FileManager.default.fileExists(atPath: layout.settings)
        progress.line(firstRun ? "Creating cluster \"\(settings.clusterName)\" …" : "Starting cluster \"\(settings.clusterName)\" again …")
        let start = ContinuousClock.now

        try await progress.step(firstRun ? "Preparing the data directory \(settings.dataDirectory)" : "Reading \(layout.settings)") {
            do {
                try FileManager.default.createDirectory(
                    atPath: layout.root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw ClusterError.startup("cannot create the data directory \(layout.root): \(error.localizedDescription)")
            }
            try settings.save()
        }

        let server = BackgroundServer(settings: settings)
        let (pid, offset) = try server.start()
        let url = try await progress.step("Starting the server (store, apiserver, scheduler, controllers, registry, node agent)") {
            try await server.waitUntilReady(pid: pid, logOffset: offset, timeout: readyTimeout)
        }
        do {
            try await finish(url: url, start: start)
        } catch {
            // A step failing because the server died says so, with the server's last words.
            guard !ClusterDown.isAlive(pid) else { throw error }
            throw ClusterError.startup(
                "\(error)\nthe server exited; the end of \(layout.serverLog):\n\(BackgroundServer.tail(BackgroundServer.read(layout.serverLog, from: offset)))")
        }
    }

    /// The steps after the server is up: images, node, kubeconfig, and what to try next.
    func finish(url: String, start: ContinuousClock.Instant) async throws {
        let layout = settings.layout
        let access = try AdminAccess(settings: settings)

        let executable = try? BackgroundServer.currentExecutable()
        if let directory = imagesDirectory ?? SeedImages.defaultArchivesDirectory(executable: executable) {
            try await progress.step("Loading the images from \(directory) into the registry") {
                _ = try await SeedImages(
                    archivesDirectory: directory, storeRoot: layout.seedImages, registryPort: settings.registryPort
                ).run()
            }
        } else {
            progress.line(" - No image archives found (Images/out); run Scripts/build-images to have busybox and hello in the registry")
        }

        try await progress.step("Waiting for node \(settings.nodeName) to be Ready") {
            try await waitForReadyNode(access: access, server: url)
        }

        let kubeconfig = try kubeconfigPath ?? KubeconfigLocation.resolve()
        try await progress.step("Writing the kubeconfig (context \(settings.contextName) in \(kubeconfig))") {
            let entry = try access.kubeconfigEntry(server: url)
            try Kubeconfig.write(entry, to: layout.adminKubeconfig)
            try Kubeconfig.merge(entry, into: kubeconfig)
        }

        let elapsed = ContinuousClock.now - start
        progress.line("")
        progress.line("Cluster \"\(settings.clusterName)\" is ready in \(elapsed.formatted(.units(allowed: [.seconds], fractionalPart: .show(length: 1)))), running in the background (log: \(layout.serverLog)).")
        progress.line("kubectl now uses context \(settings.contextName). Try:")
        progress.line("  kubectl get nodes")
        progress.line("  kubectl create deployment hello --image=hello:latest")
        progress.line("  kubectl get pods -w")
        progress.line("  skiff status --name \(settings.clusterName)")
        progress.line("  skiff down --name \(settings.clusterName)        # stop it (add --purge to delete it)")
    }

    /// Polls the Node until its Ready condition is True.
    func waitForReadyNode(access: AdminAccess, server: String) async throws {
        let deadline = ContinuousClock.now + readyTimeout
        try await access.withClient(server: server) { client in
            var last = "the node has not registered yet"
            while ContinuousClock.now < deadline {
                do {
                    let node = try await client.get(.nodes, name: settings.nodeName)
                    if NodeConditions.isReady(node) { return }
                    last = "Ready is \(NodeConditions.status(of: "Ready", in: node) ?? "not reported")"
                } catch let error as ClientError where error.isNotFound {
                    last = "the node has not registered yet"
                } catch let error as ClientError {
                    last = "\(error)"
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw ClusterError.startup(
                "node \(settings.nodeName) was not Ready after \(readyTimeout) (\(last)); the server keeps running, see \(settings.layout.serverLog)")
        }
    }
}
