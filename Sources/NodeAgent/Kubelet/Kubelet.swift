import APIModel
import ClusterClient
import ContainerRuntime
import Foundation
import LinuxSystem
import Logging

/// The node agent: registers the Node, heartbeats through its Lease, and keeps the pods
/// bound to this node (and the static pods) running as described.
public final class Kubelet: Sendable {
    public let configuration: KubeletConfiguration
    let context: KubeletContext
    let registry: PodWorkerRegistry

    public convenience init(configuration: KubeletConfiguration, client: ClusterClient,
                            logger: Logger = Logger(label: "skiff.kubelet")) throws {
        try self.init(configuration: configuration, client: client, logger: logger,
                      sandboxes: CNIPodSandboxes(configuration: configuration, logger: logger),
                      volumes: NodeVolumes(configuration: configuration, client: client, logger: logger))
    }

    /// With the node's sandbox and volume managers given (tests substitute their own names).
    init(configuration: KubeletConfiguration, client: ClusterClient, logger: Logger,
         sandboxes: any PodSandboxManaging, volumes: any VolumeManaging) throws {
        self.configuration = configuration
        let layout = KubeletLayout(root: configuration.dataDirectory)
        try Files.makeDirectories(layout.pods, mode: 0o711)
        let cgroups = try makeCgroupManager()
        context = KubeletContext(
            configuration: configuration, client: client, runtime: Runtime(root: layout.runtimeState, cgroups: cgroups),
            cgroups: cgroups, images: try ImageManager(root: layout.images, registryEndpoint: configuration.registryEndpoint, logger: logger),
            sandboxes: sandboxes, volumes: volumes, recorder: KubeletEvents(client: client, host: configuration.nodeName, logger: logger),
            logger: logger, layout: layout, machine: MachineInfo.read(dataDirectory: configuration.dataDirectory))
        registry = PodWorkerRegistry(context: context)
    }

    /// The streaming server's view of the pods.
    var streamBackend: any PodStreamBackend { KubeletStreamBackend(registry: registry, runtime: context.runtime) }

    /// Runs until the task is cancelled. Cancellation leaves the pods running (a restarted
    /// agent adopts them); `stopAllPods` is what `skiff down` calls.
    public func run() async throws {
        let reporter = NodeStatusReporter(context: context)
        var attempt = 0
        while true {
            do {
                try await reporter.register()
                break
            } catch {
                attempt += 1
                if Task.isCancelled { throw CancellationError() }
                if attempt % 10 == 1 { context.logger.warning("registering node \(configuration.nodeName): \(error)") }
                try await Task.sleep(for: .milliseconds(500))
            }
        }
        context.logger.info("node registered", metadata: ["node": "\(configuration.nodeName)"])
        let registry = self.registry
        let context = self.context
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await reporter.run() }
            group.addTask {
                let source = PodSource(client: context.client, nodeName: context.nodeName, registry: registry, logger: context.logger)
                await source.run {
                    // Once the API's pods are known, whatever else is on the node is an orphan.
                    try? await Task.sleep(for: .seconds(2))
                    await Self.removeOrphans(context: context, registry: registry)
                }
            }
            if let path = configuration.staticPodPath {
                group.addTask { await StaticPodSource(directory: path, context: context, registry: registry).run() }
            }
            group.addTask {
                let server = KubeletStreamServer(configuration: context.configuration, backend: self.streamBackend, logger: context.logger)
                do { try await server.run() } catch {
                    if !Task.isCancelled { context.logger.error("streaming server stopped: \(error)") }
                }
            }
            group.addTask {
                let informers = InformerFactory(client: context.client, logger: context.logger)
                await NodeRouteSync(configuration: context.configuration, client: context.client, informers: informers,
                                    logger: context.logger).run()
            }
            group.addTask { await Self.collectGarbage(context: context, registry: registry) }
            await group.waitForAll()
        }
        await registry.cancelAll()
        if Task.isCancelled { throw CancellationError() }
    }

    /// Stops every pod on the node (graceful termination), tears down sandboxes and volumes.
    public func stopAllPods() async throws {
        await registry.stopAll()
        await Self.removeOrphans(context: context, registry: registry)
    }

    /// Containers, sandboxes and volumes of pods this agent does not run (deleted while it
    /// was down): removed.
    static func removeOrphans(context: KubeletContext, registry: PodWorkerRegistry) async {
        let known = await registry.uids
        let runtime = context.runtime
        let orphans = runtime.list().filter { info in
            guard let uid = info.record.annotations?[ContainerAnnotations.podUID] else { return false }
            return !known.contains(uid)
        }
        var uids = Set(orphans.compactMap { $0.record.annotations?[ContainerAnnotations.podUID] })
        for sandbox in await context.sandboxes.all() where !known.contains(sandbox.podUID) { uids.insert(sandbox.podUID) }
        for uid in await context.volumes.podsWithVolumes() where !known.contains(uid) { uids.insert(uid) }
        for directory in Files.list(context.layout.pods) where !known.contains(directory) { uids.insert(directory) }
        guard !uids.isEmpty else { return }
        context.logger.info("removing what is left of pods no longer bound here", metadata: ["pods": "\(uids.sorted())"])
        _ = try? await Blocking.run {
            for info in orphans { _ = try? runtime.stop(id: info.record.id, grace: .seconds(2)); try? runtime.delete(id: info.record.id, force: true) }
        }
        let cgroups = context.cgroups
        for uid in uids {
            try? await context.sandboxes.tearDown(podUID: uid)
            try? await context.volumes.tearDown(podUID: uid)
            let paths = [QoSClass.guaranteed, .burstable, .bestEffort].map {
                QoSClass.podCgroup(root: context.configuration.cgroupRoot, qos: $0, podUID: uid)
            }
            let directory = context.layout.pod(uid)
            _ = try? await Blocking.run {
                for path in paths { try? cgroups.destroy(path: path) }
                try? Files.removeTree(directory)
            }
        }
    }

    /// Every minute: unused images go when the image filesystem is over 85 % full.
    static func collectGarbage(context: KubeletContext, registry: PodWorkerRegistry) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(60))
            var inUse = Set<String>()
            for worker in await registry.allWorkers {
                for container in await worker.podObject.allContainers { inUse.insert(container.image) }
            }
            do { try await context.images.collectGarbage(inUse: inUse, threshold: 0.85) } catch {
                context.logger.warning("image garbage collection: \(error)")
            }
        }
    }

    /// What `skiff down` runs after the server has stopped: kills every container recorded
    /// under the agent's data directory, tears down sandboxes, volumes, pod cgroups and the
    /// node's bridge and routes, so nothing is left on the machine. Needs no apiserver.
    public static func cleanUpNode(configuration: KubeletConfiguration,
                                   logger: Logger = Logger(label: "skiff.kubelet")) async throws {
        try await NodeCleanup.run(configuration: configuration, logger: logger)
    }
}
