import APIModel
import ClusterClient
import ContainerRuntime
import Foundation
import LinuxSystem

extension PodWorker {
    /// The container's status from its latest instances and what the worker is waiting on.
    func snapshot(_ spec: ContainerSpec, initDone: Bool) -> ContainerStatusSnapshot {
        var status = ContainerStatusSnapshot(name: spec.name, image: spec.image, imageID: imageIDs[spec.name] ?? "",
                                             state: .waiting(reason: "ContainerCreating", message: nil))
        let list = instances[spec.name] ?? []
        if list.count >= 2, let previous = try? context.runtime.inspect(id: list[list.count - 2].runtimeID) {
            status.lastState = terminatedState(previous)
        }
        guard let current = list.last, let info = try? context.runtime.inspect(id: current.runtimeID) else {
            if let waiting = waiting[spec.name] {
                status.state = .waiting(reason: waiting.reason, message: waiting.message)
            } else if !spec.isInit && !initDone {
                status.state = .waiting(reason: "PodInitializing", message: nil)
            }
            return status
        }
        status.restartCount = current.restartCount
        status.containerID = "skiff://" + current.runtimeID
        switch info.status {
        case .running:
            status.state = .running(startedAt: PodStatusBuilder.seconds(info.record.created) ?? info.record.created)
            let probe = probes[current.runtimeID]
            status.started = probe?.started ?? true
            status.ready = spec.isInit && !spec.isSidecar ? false : (probe?.ready ?? true)
        case .stopped:
            let terminated = terminatedState(info)
            if let waiting = waiting[spec.name] {
                status.state = .waiting(reason: waiting.reason, message: waiting.message)
                status.lastState = terminated
            } else {
                status.state = terminated
            }
        case .created, .creating, .paused:
            status.state = .waiting(reason: "ContainerCreating", message: nil)
        }
        return status
    }

    /// `terminated` with Kubernetes' reason: OOMKilled, Completed (exit 0) or Error, and the
    /// termination message the container wrote.
    func terminatedState(_ info: ContainerInfo) -> ContainerStateSnapshot {
        let exit = info.exit
        let code = exit?.exitCode ?? 137
        let reason: String
        if exit?.oomKilled == true {
            reason = "OOMKilled"
        } else if exit == nil {
            reason = "ContainerStatusUnknown"
        } else {
            reason = code == 0 ? "Completed" : "Error"
        }
        let messagePath = (info.record.bundle) + "/termination-log"
        let message = ((try? Files.readString(messagePath)) ?? nil).map { String($0.prefix(4096)) }
        return .terminated(exitCode: code, signal: exit?.signal ?? 0, reason: reason, message: message,
                           startedAt: PodStatusBuilder.seconds(info.record.created),
                           finishedAt: PodStatusBuilder.seconds(exit?.finishedAt) ?? PodStatusBuilder.timestamp(),
                           containerID: "skiff://" + info.record.id)
    }

    func computeStatus() -> JSONValue {
        let initStatuses = pod.initContainers.map { snapshot($0, initDone: true) }
        var builder = PodStatusBuilder(pod: pod, initContainers: initStatuses, containers: [], podIPs: [],
                                       hostIPs: [context.configuration.nodeIP], startTime: startTime, qos: qos,
                                       sandboxReady: sandbox != nil, now: PodStatusBuilder.timestamp())
        let initDone = builder.initializationDone
        builder.containers = pod.containers.map { snapshot($0, initDone: initDone) }
        builder.podIPs = pod.hostNetwork ? [context.configuration.nodeIP] : (sandbox?.podIPs ?? [])
        return builder.build(previous: lastStatus)
    }

    /// PATCHes `pods/status` when the status changed (for a static pod: its mirror pod's).
    func writeStatus() async {
        let status = computeStatus()
        guard statusUnwritten || PodStatusBuilder.differs(lastStatus, status) else { return }
        do {
            _ = try await context.client.patch(.pods, namespace: pod.namespace, name: pod.name, type: .merge,
                                               ["status": status], subresource: "status")
            lastStatus = status
            statusUnwritten = false
        } catch let error as ClientError where error.isNotFound {
            // Not (yet) in the API: a static pod before its mirror exists. Kept as the base
            // for transition times, and written again once the mirror is there.
            lastStatus = status
            statusUnwritten = true
        } catch {
            logger.warning("writing pod status: \(error)")
        }
    }

    /// Current instance, log and previous log of a container (for the streaming server).
    func streamInstance(container: String, previous: Bool) -> (instance: ContainerInstance, log: String)? {
        guard let list = instances[container], !list.isEmpty else { return nil }
        let chosen = previous ? (list.count >= 2 ? list[list.count - 2] : nil) : list.last
        guard let chosen else {
            // The previous instance may have been collected; its log file stays.
            guard let current = list.last, current.restartCount > 0 else { return nil }
            let log = context.layout.log(podUID: uid, container: container, restartCount: current.restartCount - 1)
            return (ContainerInstance(runtimeID: KubeletContext.runtimeID(podUID: uid, container: container, restartCount: current.restartCount - 1),
                                      container: container, restartCount: current.restartCount - 1), log)
        }
        return (chosen, context.layout.log(podUID: uid, container: container, restartCount: chosen.restartCount))
    }

    var podObject: PodObject { pod }
    var sandboxNetworkNamespace: String? { sandbox?.networkNamespacePath }
}
