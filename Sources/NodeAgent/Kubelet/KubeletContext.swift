import APIModel
import ClusterClient
import ContainerRuntime
import Foundation
import Logging

/// Where the agent keeps what it owns under its data directory.
struct KubeletLayout: Sendable {
    var root: String

    var runtimeState: String { root + "/runtime" }
    var images: String { root + "/images" }
    var pods: String { root + "/pods" }
    func pod(_ uid: String) -> String { pods + "/" + uid }
    /// The CRI log of one container instance: `<data>/pods/<uid>/<container>/<restartCount>.log`.
    func log(podUID: String, container: String, restartCount: Int) -> String {
        pod(podUID) + "/\(container)/\(restartCount).log"
    }
    /// A container instance's bundle (config.json), overlay upper/work dirs and termination log.
    func bundle(podUID: String, runtimeID: String) -> String { pod(podUID) + "/bundles/" + runtimeID }
}

/// What every pod worker shares: configuration, the API client, the runtime and the node's
/// managers. All members are immutable or themselves safe to share.
struct KubeletContext: Sendable {
    let configuration: KubeletConfiguration
    let client: ClusterClient
    let runtime: Runtime
    let cgroups: any CgroupManager
    let images: ImageManager
    let sandboxes: any PodSandboxManaging
    let volumes: any VolumeManaging
    let recorder: KubeletEvents
    let logger: Logger
    let layout: KubeletLayout
    let machine: MachineInfo

    var nodeName: String { configuration.nodeName }
    var allocatableCPU: Double { max(Double(machine.cpus) - Double(configuration.reservedCPUMillicores) / 1000, 0) }
    var allocatableMemory: Double { max(Double(machine.memoryBytes - configuration.reservedMemoryBytes), 0) }

    /// ConfigMaps and Secrets for env, read from the API (nil when absent).
    var lookup: ObjectLookup {
        let client = self.client
        return { resource, namespace, name in
            do {
                return try await client.get(resource, namespace: namespace, name: name)
            } catch let error as ClientError where error.isNotFound {
                return nil
            }
        }
    }

    /// The runtime id of a container instance: derived from the pod, the container and the
    /// restart count, so a restarted agent finds (and never duplicates) what it started.
    static func runtimeID(podUID: String, container: String, restartCount: Int) -> String {
        "\(podUID)_\(container)_\(restartCount)"
    }
}
