import APIModel
import ClusterClient
import ContainerRuntime
import Foundation
import LinuxSystem
import OCI

extension PodWorker {
    /// Pulls the image, resolves the environment, writes the bundle and starts instance
    /// `restartCount` of the container; every failure leaves the container waiting with
    /// Kubernetes' reason and is retried by a later sync.
    func start(_ spec: ContainerSpec, restartCount: Int) async {
        if let reason = waiting[spec.name]?.reason, reason == "RunContainerError" || reason == "CreateContainerConfigError",
           backoff.isBackingOff(backoffKey(spec.name), at: Date()) {
            return
        }
        if waiting[spec.name] == nil || waiting[spec.name]?.reason == "CrashLoopBackOff" {
            waiting[spec.name] = ("ContainerCreating", nil)
        }
        let image: PreparedImage
        do {
            let podObject = pod.object
            let recorder = context.recorder
            let name = spec.image
            let result = try await context.images.ensure(spec.image, policy: spec.imagePullPolicy) {
                recorder.record(podObject, type: .normal, reason: "Pulling", message: "Pulling image \"\(name)\"")
            }
            image = result.image
            if result.pulled {
                event(.normal, "Pulled", "Successfully pulled image \"\(spec.image)\"")
            } else if restartCount == 0 {
                event(.normal, "Pulled", "Container image \"\(spec.image)\" already present on machine")
            }
        } catch let error as ImagePullError {
            waiting[spec.name] = (error.reason, error.message)
            if error.reason == "ImagePullBackOff" {
                event(.normal, "BackOff", "Back-off pulling image \"\(spec.image)\"")
            } else {
                event(.warning, "Failed", error.message)
                event(.warning, "Failed", "Error: \(error.reason)")
            }
            return
        } catch {
            waiting[spec.name] = ("ErrImagePull", "\(error)")
            event(.warning, "Failed", "Failed to pull image \"\(spec.image)\": \(error)")
            return
        }
        imageIDs[spec.name] = image.imageID

        let runtimeID = KubeletContext.runtimeID(podUID: uid, container: spec.name, restartCount: restartCount)
        let bundle = context.layout.bundle(podUID: uid, runtimeID: runtimeID)
        let logPath = context.layout.log(podUID: uid, container: spec.name, restartCount: restartCount)
        let runtimeSpec: RuntimeSpec
        do {
            let resolver = EnvironmentResolver(
                pod: pod, facts: DownwardFacts(hostIPs: [context.configuration.nodeIP], podIPs: sandbox?.podIPs ?? [],
                                               allocatableCPU: context.allocatableCPU, allocatableMemory: context.allocatableMemory,
                                               allocatableEphemeralStorage: Double(context.machine.ephemeralStorageBytes)),
                lookup: context.lookup)
            let environment = try await resolver.resolve(spec)
            let layers = image.layers
            let inputs = ContainerConfigInputs(
                pod: pod, container: spec, image: image.config.config, environment: environment, runtimeID: runtimeID,
                restartCount: restartCount, cgroupsPath: podCgroup + "/" + runtimeID, qos: qos, sandbox: sandbox,
                volumes: volumes ?? [:], terminationLogPath: bundle + "/termination-log",
                lookUpUser: { name in ImageUsers.user(name, layers: layers) },
                lookUpGroup: { name in ImageUsers.group(name, layers: layers) },
                nodeMemoryBytes: Double(context.machine.memoryBytes))
            runtimeSpec = try ContainerConfigBuilder.build(inputs)
        } catch {
            let message = (error as? ContainerConfigError)?.message ?? "\(error)"
            waiting[spec.name] = ("CreateContainerConfigError", message)
            event(.warning, "Failed", "Error: \(message)")
            backoff.recordFailure(backoffKey(spec.name), at: Date(), firstIsFree: true)
            return
        }

        let runtime = context.runtime
        let overlay = OverlayRootfs(lowerDirs: image.layers.reversed(),
                                    upperDir: bundle + "/upper", workDir: bundle + "/work")
        do {
            try await Blocking.run {
                try Files.makeDirectories(bundle + "/rootfs")
                try Files.makeDirectories((logPath as NSString).deletingLastPathComponent)
                if !Files.exists(bundle + "/termination-log") { try Files.write(bundle + "/termination-log", [], mode: 0o666) }
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys]
                try Files.writeAtomically(bundle + "/config.json", Array(try encoder.encode(runtimeSpec)), mode: 0o600)
                var options = CreateOptions(overlay: overlay, containerLog: logPath)
                options.defaultCgroupParent = nil
                if (try? runtime.inspect(id: runtimeID)) != nil {
                    // A create cut short by an earlier agent: start over.
                    try? runtime.delete(id: runtimeID, force: true)
                }
                try runtime.create(id: runtimeID, bundle: bundle, options: options)
                do {
                    try runtime.start(id: runtimeID)
                } catch {
                    try? runtime.delete(id: runtimeID, force: true)
                    throw error
                }
            }
        } catch {
            waiting[spec.name] = ("RunContainerError", "\(error)")
            event(.warning, "Failed", "Error: failed to start container \"\(spec.name)\": \(error)")
            backoff.recordFailure(backoffKey(spec.name), at: Date(), firstIsFree: true)
            return
        }
        let instance = ContainerInstance(runtimeID: runtimeID, container: spec.name, restartCount: restartCount)
        instances[spec.name, default: []].append(instance)
        waiting[spec.name] = nil
        event(.normal, "Created", "Created container \(spec.name)")
        event(.normal, "Started", "Started container \(spec.name)")
        removeOldInstances(spec.name)

        if let postStart = spec.postStart {
            let outcome = await HandlerRunner.run(postStart, target: handlerTarget(spec, instance), timeout: .seconds(30))
            if case .failure(let message) = outcome {
                event(.warning, "FailedPostStartHook", "PostStartHook failed: \(message)")
                await stopContainer(spec, instance, grace: pod.terminationGracePeriodSeconds, reason: "FailedPostStartHook", runPreStop: false)
                return
            }
        }
        if !spec.isInit || spec.isSidecar { startProbes(spec, instance) }
    }

    /// Dead instances before the last one are removed from the runtime (the last stays for
    /// `lastState`; every instance's log file stays for `kubectl logs --previous`).
    func removeOldInstances(_ name: String) {
        guard var list = instances[name], list.count > 2 else { return }
        let old = list.prefix(list.count - 2)
        list.removeFirst(old.count)
        instances[name] = list
        let runtime = context.runtime
        let layout = context.layout
        let uid = self.uid
        for instance in old {
            seenExits.remove(instance.runtimeID)
            Blocking.queue.async {
                try? runtime.delete(id: instance.runtimeID, force: true)
                try? Files.removeTree(layout.bundle(podUID: uid, runtimeID: instance.runtimeID))
            }
        }
    }

    func handlerTarget(_ spec: ContainerSpec, _ instance: ContainerInstance) -> HandlerTarget {
        var named: [String: Int] = [:]
        for port in spec.json["ports"]?.arrayValue ?? [] {
            if let name = port["name"]?.stringValue, let number = port["containerPort"]?.intValue { named[name] = Int(number) }
        }
        let podIP = pod.hostNetwork ? context.configuration.nodeIP : (sandbox?.podIPs.first ?? context.configuration.nodeIP)
        return HandlerTarget(runtime: context.runtime, runtimeID: instance.runtimeID, podIP: podIP, namedPorts: named)
    }

    /// preStop (within the grace period), then SIGTERM, the rest of the grace period, SIGKILL.
    func stopContainer(_ spec: ContainerSpec, _ instance: ContainerInstance, grace: Int64, reason: String, runPreStop: Bool = true) async {
        probeTasks.removeValue(forKey: instance.runtimeID)?.cancel()
        let started = ContinuousClock.now
        let budget = Duration.seconds(max(grace, 0))
        if runPreStop, let preStop = spec.preStop {
            let outcome = await HandlerRunner.run(preStop, target: handlerTarget(spec, instance), timeout: max(budget, .seconds(1)))
            if case .failure(let message) = outcome {
                event(.warning, "FailedPreStopHook", "PreStopHook failed: \(message)")
            }
        }
        let remaining = max(budget - (ContinuousClock.now - started), .seconds(grace > 0 ? 2 : 0))
        let runtime = context.runtime
        let id = instance.runtimeID
        _ = try? await Blocking.run { try runtime.stop(id: id, grace: remaining) }
    }

    // MARK: Probes

    func startProbes(_ spec: ContainerSpec, _ instance: ContainerInstance) {
        let startup = spec.startupProbe.map(ProbeSpec.init)
        let liveness = spec.livenessProbe.map(ProbeSpec.init)
        let readiness = spec.readinessProbe.map(ProbeSpec.init)
        probes[instance.runtimeID] = ProbeState(started: startup == nil, ready: readiness == nil && startup == nil, livenessFailure: nil)
        guard startup != nil || liveness != nil || readiness != nil else { return }
        let target = handlerTarget(spec, instance)
        let id = instance.runtimeID
        let name = spec.name
        let worker = self
        probeTasks[id] = Task {
            await ProbeLoop.run(startup: startup, liveness: liveness, readiness: readiness, target: target) { update in
                await worker.probeUpdate(id: id, container: name, update)
            }
        }
    }

    func probeUpdate(id: String, container: String, _ update: ProbeLoop.Update) {
        guard probes[id] != nil else { return }
        switch update {
        case .started:
            probes[id]?.started = true
            if pod.containers.first(where: { $0.name == container })?.readinessProbe == nil { probes[id]?.ready = true }
        case .ready(let ready):
            probes[id]?.ready = ready
        case .unhealthy(let kind, let message):
            event(.warning, "Unhealthy", "\(kind) probe failed: \(message)")
        case .livenessFailed(let message):
            probes[id]?.livenessFailure = message
        }
        markDirty()
    }
}
