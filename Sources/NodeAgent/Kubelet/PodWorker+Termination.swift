import APIModel
import ClusterClient
import ContainerRuntime
import Foundation
import LinuxSystem

extension PodWorker {
    /// A deleted pod: stops its containers gracefully (preStop, SIGTERM, the grace period,
    /// SIGKILL), removes them, tears down the sandbox, volumes and pod cgroup, and finally
    /// deletes the API object with grace period 0 and a uid precondition.
    func terminate() async {
        let grace = pod.deletionGracePeriodSeconds ?? pod.terminationGracePeriodSeconds
        await stopEverything(grace: grace)
        if !removed {
            await writeStatus()
        }
        await removeEverything()
        if !removed && !pod.isStatic {
            do {
                try await context.client.delete(.pods, namespace: pod.namespace, name: pod.name,
                                                options: DeleteOptions(gracePeriodSeconds: 0, preconditionUID: uid))
            } catch let error as ClientError where error.isNotFound || error.isConflict {
                // Already gone, or a new pod of the same name.
            } catch {
                logger.warning("deleting the pod object: \(error)")
                return
            }
        }
        finished = true
    }

    /// Stops every running container of the pod at once, each with the grace period.
    func stopEverything(grace: Int64) async {
        for task in probeTasks.values { task.cancel() }
        probeTasks.removeAll()
        var running: [(ContainerSpec, ContainerInstance)] = []
        let specs = Dictionary(pod.allContainers.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        for (name, list) in instances {
            guard let current = list.last, let info = inspect(current), info.status == .running || info.status == .created else { continue }
            running.append((specs[name] ?? ContainerSpec(["name": .string(name)], isInit: false), current))
        }
        for (spec, _) in running {
            event(.normal, "Killing", "Stopping container \(spec.name)")
        }
        await withTaskGroup(of: Void.self) { group in
            for (spec, instance) in running {
                group.addTask { await self.stopContainer(spec, instance, grace: grace, reason: "Killing") }
            }
        }
    }

    /// Removes the containers, the sandbox, volumes, pod cgroup and pod directory.
    func removeEverything() async {
        let runtime = context.runtime
        let ids = instances.values.flatMap { $0 }.map(\.runtimeID)
        let others = context.runtime.list().filter { $0.record.annotations?[ContainerAnnotations.podUID] == uid }.map(\.record.id)
        _ = try? await Blocking.run {
            for id in Set(ids + others) { try? runtime.delete(id: id, force: true) }
        }
        instances.removeAll()
        do { try await context.sandboxes.tearDown(podUID: uid) } catch { logger.warning("tearing down the sandbox: \(error)") }
        do { try await context.volumes.tearDown(podUID: uid) } catch { logger.warning("tearing down volumes: \(error)") }
        let cgroups = context.cgroups
        let paths = [QoSClass.guaranteed, .burstable, .bestEffort].map {
            QoSClass.podCgroup(root: context.configuration.cgroupRoot, qos: $0, podUID: uid)
        }
        let directory = context.layout.pod(uid)
        _ = try? await Blocking.run {
            for path in paths { try? cgroups.destroy(path: path) }
            try? Files.removeTree(directory)
        }
        sandbox = nil
        volumes = nil
        podCgroupReady = false
    }
}
