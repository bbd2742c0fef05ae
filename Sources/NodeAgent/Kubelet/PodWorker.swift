import APIModel
import ClusterClient
import ContainerRuntime
import Foundation
import Logging

/// One instance of a container of the pod, as the runtime knows it.
struct ContainerInstance: Sendable, Equatable {
    var runtimeID: String
    var container: String
    var restartCount: Int
}

/// Probe results of a running container instance.
struct ProbeState: Sendable {
    var started: Bool
    var ready: Bool
    var livenessFailure: String?
}

/// Keeps one pod as its spec describes, serially: every change to the pod and every tick
/// runs `sync`, one at a time. Owns the pod's sandbox, volumes, cgroup and containers on the
/// node until the pod is gone.
actor PodWorker {
    let uid: String
    let context: KubeletContext
    var pod: PodObject
    var logger: Logger

    /// The API object was deleted (or the static manifest removed): tear down and stop.
    var removed = false
    var finished = false
    private var dirty = true

    var instances: [String: [ContainerInstance]] = [:]
    var waiting: [String: (reason: String, message: String?)] = [:]
    var imageIDs: [String: String] = [:]
    var backoff = Backoff()
    var seenExits = Set<String>()
    var probes: [String: ProbeState] = [:]
    var probeTasks: [String: Task<Void, Never>] = [:]
    var sandbox: PodSandbox?
    var volumes: [String: MountedVolume]?
    var podCgroupReady = false
    var startTime: String?
    var lastStatus: JSONValue?
    /// The last status could not be written (no API object yet): write it at the next sync.
    var statusUnwritten = false
    var lastBackOffEvent: [String: Date] = [:]

    init(pod: PodObject, context: KubeletContext) {
        self.uid = pod.uid
        self.pod = pod
        self.context = context
        var logger = context.logger
        logger[metadataKey: "pod"] = "\(pod.namespace)/\(pod.name)"
        self.logger = logger
        self.startTime = pod.status["startTime"]?.stringValue
        self.lastStatus = pod.object["status"]
    }

    func update(_ pod: PodObject) {
        guard pod.uid == uid else { return }
        self.pod = pod
        dirty = true
    }

    func markDirty() { dirty = true }

    func markRemoved() {
        removed = true
        dirty = true
    }

    var isFinished: Bool { finished }

    var qos: QoSClass { QoSClass.of(pod) }
    var podCgroup: String { QoSClass.podCgroup(root: context.configuration.cgroupRoot, qos: qos, podUID: uid) }

    /// Syncs until the pod is gone: on every change at once, otherwise every second (to see
    /// exits, back-offs ending and probe results).
    func run() async {
        adoptExistingContainers()
        while !finished && !Task.isCancelled {
            dirty = false
            if removed || pod.isBeingDeleted {
                await terminate()
            } else {
                await syncRunning()
            }
            if finished { break }
            for _ in 0..<10 where !dirty && !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(100))
            }
        }
        for task in probeTasks.values { task.cancel() }
    }

    /// Finds the runtime containers of this pod left by an earlier agent process: they are
    /// this pod's instances, with their restart counts; nothing is restarted.
    func adoptExistingContainers() {
        for info in context.runtime.list() {
            guard let annotations = info.record.annotations, annotations[ContainerAnnotations.podUID] == uid,
                  let name = annotations[ContainerAnnotations.containerName],
                  let count = annotations[ContainerAnnotations.restartCount].flatMap(Int.init) else { continue }
            instances[name, default: []].append(ContainerInstance(runtimeID: info.record.id, container: name, restartCount: count))
            if info.status == .stopped { seenExits.insert(info.record.id) }
        }
        for name in instances.keys { instances[name]?.sort { $0.restartCount < $1.restartCount } }
        if !instances.isEmpty {
            logger.info("adopted running containers", metadata: ["containers": "\(instances.values.flatMap { $0 }.map(\.runtimeID))"])
            for spec in pod.allContainers {
                if let image = context.images.present(spec.image) { imageIDs[spec.name] = image.imageID }
            }
        }
    }

    func latest(_ name: String) -> ContainerInstance? { instances[name]?.last }

    func inspect(_ instance: ContainerInstance) -> ContainerInfo? {
        try? context.runtime.inspect(id: instance.runtimeID)
    }

    func event(_ type: KubeletEvents.EventType, _ reason: String, _ message: String) {
        context.recorder.record(pod.object, type: type, reason: reason, message: message)
    }

    // MARK: Running pods

    func syncRunning() async {
        if startTime == nil { startTime = PodStatusBuilder.timestamp() }
        guard await prepareInfrastructure() else {
            await writeStatus()
            return
        }
        let initDone = await syncInitContainers()
        if initDone {
            for spec in pod.containers { await reconcile(spec) }
        }
        await writeStatus()
    }

    /// The pod cgroup, the sandbox and the volumes; false when one is not ready (retried next sync).
    func prepareInfrastructure() async -> Bool {
        if !podCgroupReady {
            let path = podCgroup
            let resources = PodCgroupResources.of(pod, qos: qos)
            let cgroups = context.cgroups
            do {
                try await Blocking.run { try cgroups.create(path: path, resources: resources) }
                podCgroupReady = true
            } catch {
                logger.warning("creating pod cgroup \(path): \(error)")
                event(.warning, "FailedCreatePodContainer", "unable to ensure pod container exists: \(error)")
                return false
            }
        }
        if sandbox == nil {
            do {
                if let existing = await context.sandboxes.existing(podUID: uid) {
                    sandbox = existing
                } else {
                    sandbox = try await context.sandboxes.setUp(pod.sandboxRequest(clusterDomain: context.configuration.clusterDomain))
                }
            } catch {
                logger.warning("setting up the sandbox: \(error)")
                event(.warning, "FailedCreatePodSandBox", "Failed to create pod sandbox: \(error)")
                return false
            }
        }
        if volumes == nil {
            do {
                volumes = try await context.volumes.setUp(pod: pod.object)
            } catch {
                logger.warning("setting up volumes: \(error)")
                event(.warning, "FailedMount", "MountVolume.SetUp failed: \(error)")
                return false
            }
        }
        return true
    }

    /// Runs the init containers one at a time, in order; true once all have succeeded
    /// (sidecars: once started).
    func syncInitContainers() async -> Bool {
        for spec in pod.initContainers {
            guard let instance = latest(spec.name), let info = inspect(instance) else {
                await start(spec, restartCount: (latest(spec.name)?.restartCount).map { $0 + 1 } ?? 0)
                return false
            }
            switch info.status {
            case .running:
                if spec.isSidecar { continue }
                return false
            case .created, .creating, .paused:
                return false
            case .stopped:
                let code = info.exit?.exitCode ?? -1
                noteExit(instance, info)
                if code == 0 && !spec.isSidecar { continue }
                guard pod.restartPolicy != "Never" || spec.isSidecar else { return false }
                await restartIfDue(spec, after: instance)
                return false
            }
        }
        return true
    }

    /// Keeps one regular container as its restart policy says.
    func reconcile(_ spec: ContainerSpec) async {
        guard let instance = latest(spec.name), let info = inspect(instance) else {
            await start(spec, restartCount: (latest(spec.name)?.restartCount).map { $0 + 1 } ?? 0)
            return
        }
        switch info.status {
        case .running:
            if probeTasks[instance.runtimeID] == nil { startProbes(spec, instance) }
            if let failure = probes[instance.runtimeID]?.livenessFailure {
                probes[instance.runtimeID]?.livenessFailure = nil
                event(.normal, "Killing", "Container \(spec.name) failed liveness probe, will be restarted")
                await stopContainer(spec, instance, grace: pod.terminationGracePeriodSeconds, reason: failure)
            }
        case .created, .creating, .paused:
            return
        case .stopped:
            noteExit(instance, info)
            let code = info.exit?.exitCode ?? -1
            switch pod.restartPolicy {
            case "Never": return
            case "OnFailure" where code == 0: return
            default: await restartIfDue(spec, after: instance)
            }
        }
    }

    /// Records an exit once: starts (or continues) the crash back-off, stops its probes.
    func noteExit(_ instance: ContainerInstance, _ info: ContainerInfo) {
        guard !seenExits.contains(instance.runtimeID) else { return }
        seenExits.insert(instance.runtimeID)
        probeTasks.removeValue(forKey: instance.runtimeID)?.cancel()
        probes[instance.runtimeID] = nil
        let started = Self.date(info.record.created) ?? Date()
        let finished = Self.date(info.exit?.finishedAt) ?? Date()
        backoff.recordExit(backoffKey(instance.container), ranFor: finished.timeIntervalSince(started), at: Date())
    }

    func backoffKey(_ container: String) -> String { "\(uid)/\(container)" }

    /// Starts the next instance unless the crash back-off still holds (then waits with
    /// `CrashLoopBackOff`, as Kubernetes reports it).
    func restartIfDue(_ spec: ContainerSpec, after instance: ContainerInstance) async {
        let key = backoffKey(spec.name)
        let now = Date()
        if backoff.isBackingOff(key, at: now), let retry = backoff.retryTime(key) {
            let delay = Int(backoff.delay(afterFailure: backoff.failureCount(key), firstIsFree: true))
            let message = "back-off \(Self.durationText(delay)) restarting failed container=\(spec.name) pod=\(pod.name)_\(pod.namespace)(\(uid))"
            waiting[spec.name] = ("CrashLoopBackOff", message)
            if lastBackOffEvent[spec.name].map({ now.timeIntervalSince($0) > 10 }) ?? true {
                lastBackOffEvent[spec.name] = now
                event(.warning, "BackOff", "Back-off restarting failed container \(spec.name) in pod \(pod.name)_\(pod.namespace)(\(uid))")
            }
            _ = retry
            return
        }
        await start(spec, restartCount: instance.restartCount + 1)
    }

    static func durationText(_ seconds: Int) -> String {
        seconds >= 60 ? "\(seconds / 60)m\(seconds % 60)s" : "\(seconds)s"
    }

    static func date(_ rfc3339: String?) -> Date? {
        guard let rfc3339 else { return nil }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: rfc3339) { return date }
        // Nanosecond fractions: keep milliseconds.
        if let dot = rfc3339.firstIndex(of: "."), let zone = rfc3339[dot...].firstIndex(where: { $0 == "Z" || $0 == "+" }) {
            let fraction = rfc3339[rfc3339.index(after: dot)..<zone].prefix(3)
            if let date = formatter.date(from: String(rfc3339[..<dot]) + "." + fraction + String(rfc3339[zone...])) { return date }
        }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: rfc3339)
    }
}
