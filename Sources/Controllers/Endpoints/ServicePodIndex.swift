import APIModel
import ClusterClient

/// Which Services a pod change concerns: those in the pod's namespace whose selector
/// matches the pod's old or new labels.
enum ServicePodIndex {
    static func serviceKeys(for pods: [JSONValue], services: SharedInformer) -> Set<String> {
        var keys: Set<String> = []
        for pod in pods {
            guard let namespace = pod.namespace else { continue }
            for service in services.list(namespace: namespace) {
                guard let selector = JSONValue.equalitySelector(service["spec"]?["selector"]) else { continue }
                if selector.matches(pod.labels) { keys.insert(service.key) }
            }
        }
        return keys
    }

    /// Registers the handlers that enqueue Services on their own changes and on their pods'.
    static func wire(services: SharedInformer, pods: SharedInformer, queue: WorkQueue<String>) {
        services.addHandler(InformerHandler(
            onAdd: { queue.enqueue($0.key) },
            onUpdate: { _, new in queue.enqueue(new.key) },
            onDelete: { queue.enqueue($0.key) }))
        pods.addHandler(InformerHandler(
            onAdd: { pod in for key in serviceKeys(for: [pod], services: services) { queue.enqueue(key) } },
            onUpdate: { old, new in
                for key in serviceKeys(for: [old, new], services: services) { queue.enqueue(key) }
            },
            onDelete: { pod in for key in serviceKeys(for: [pod], services: services) { queue.enqueue(key) } }))
    }
}
