import APIModel
import ClusterClient

/// The pod workers of the node by pod UID: creates a worker for a new pod, hands updates to
/// existing ones, and forgets a worker once its pod is torn down.
actor PodWorkerRegistry {
    let context: KubeletContext
    private var workers: [String: (worker: PodWorker, task: Task<Void, Never>)] = [:]
    private var names: [String: String] = [:]

    init(context: KubeletContext) {
        self.context = context
    }

    /// A pod from the API or a static manifest (mirror pods are not run themselves).
    func upsert(_ object: JSONValue) async {
        let pod = PodObject(object)
        guard !pod.uid.isEmpty, !pod.isMirror else { return }
        names["\(pod.namespace)/\(pod.name)"] = pod.uid
        if let existing = workers[pod.uid] {
            await existing.worker.update(pod)
            return
        }
        if pod.isBeingDeleted && pod.status["phase"]?.stringValue == nil && !hasContainers(pod.uid) {
            // Deleted before it ever ran here: nothing to stop, only the object to remove.
            _ = try? await context.client.delete(.pods, namespace: pod.namespace, name: pod.name,
                                                 options: DeleteOptions(gracePeriodSeconds: 0, preconditionUID: pod.uid))
            return
        }
        let worker = PodWorker(pod: pod, context: context)
        let uid = pod.uid
        let task = Task { [weak self] in
            await worker.run()
            await self?.finished(uid)
        }
        workers[uid] = (worker, task)
    }

    func hasContainers(_ uid: String) -> Bool {
        context.runtime.list().contains { $0.record.annotations?[ContainerAnnotations.podUID] == uid }
    }

    func remove(uid: String) async {
        await workers[uid]?.worker.markRemoved()
    }

    private func finished(_ uid: String) {
        workers[uid] = nil
        names = names.filter { $0.value != uid }
    }

    var uids: Set<String> { Set(workers.keys) }

    func worker(namespace: String, name: String) -> PodWorker? {
        names["\(namespace)/\(name)"].flatMap { workers[$0]?.worker }
    }

    var allWorkers: [PodWorker] { workers.values.map(\.worker) }

    /// Cancels every worker loop, leaving containers running (an agent restart adopts them).
    func cancelAll() {
        for entry in workers.values { entry.task.cancel() }
    }

    /// Stops every pod (graceful termination) and tears everything down, without touching
    /// the API objects: what `skiff down` does through `Kubelet.stopAllPods`.
    func stopAll() async {
        let entries = Array(workers.values)
        for entry in entries { entry.task.cancel() }
        await withTaskGroup(of: Void.self) { group in
            for entry in entries {
                group.addTask {
                    await entry.task.value
                    await entry.worker.markRemoved()
                    await entry.worker.terminate()
                }
            }
        }
        workers.removeAll()
        names.removeAll()
    }
}
