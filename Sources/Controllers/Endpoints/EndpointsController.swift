import APIModel
import ClusterClient
import Logging

/// Keeps each selector Service's `v1` Endpoints (same name) equal to its pods: ready pods
/// under `addresses`, the others under `notReadyAddresses`. Services without a selector are
/// left alone (their Endpoints are the user's); a deleted Service's Endpoints are deleted.
public final class EndpointsController: Controller {
    public let name = "endpoint-controller"
    static let managedByLabel = "endpoints.kubernetes.io/managed-by"
    static let headlessLabel = "service.kubernetes.io/headless"

    private let context: ControllerContext
    private let services: SharedInformer
    private let pods: SharedInformer
    private let endpoints: SharedInformer
    private let queue = WorkQueue<String>(name: "endpoint")

    public init(context: ControllerContext) {
        self.context = context
        services = context.informers.informer(for: .services)
        pods = context.informers.informer(for: .pods)
        endpoints = context.informers.informer(for: .endpoints)
        ServicePodIndex.wire(services: services, pods: pods, queue: queue)
        let queue = queue
        endpoints.addHandler(InformerHandler(onDelete: { queue.enqueue($0.key) }))
    }

    public func run(workers: Int) async {
        await services.waitForSync()
        await pods.waitForSync()
        await endpoints.waitForSync()
        await runReconcileLoop(queue: queue, workers: workers, logger: context.logger, controller: name) { [self] key in
            try await reconcile(key: key)
        }
    }

    func reconcile(key: String) async throws {
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return }
        let (namespace, serviceName) = (parts[0], parts[1])
        guard let service = services.get(key) else {
            // The Service is gone: its Endpoints go too (only those we manage).
            if let existing = endpoints.get(key), existing.labels[Self.managedByLabel] != nil {
                do {
                    try await context.client.delete(.endpoints, namespace: namespace, name: serviceName,
                                                    options: DeleteOptions(preconditionUID: existing.uid))
                } catch let error as ClientError where error.isNotFound || error.isConflict {}
            }
            return
        }
        guard !service.isBeingDeleted,
              let selected = ServiceBackends.selectedPods(service: service, pods: pods.list(namespace: namespace)) else { return }
        let subsets = EndpointsComputation.subsets(service: service, pods: selected)
        var labels = service.labels
        labels[Self.managedByLabel] = "endpoint-controller"
        if ServiceBackends.isHeadless(service) { labels[Self.headlessLabel] = "" } else { labels[Self.headlessLabel] = nil }
        let labelsJSON = JSONValue.object(JSONObject(keys: labels.keys.sorted(), values: labels.keys.sorted().map { .string(labels[$0] ?? "") }))

        if let existing = endpoints.get(key) {
            let current = existing["subsets"]?.arrayValue ?? []
            if EndpointsComputation.equivalent(current, subsets) && existing.labels == labels { return }
            var updated = existing
            updated["subsets"] = subsets.isEmpty ? nil : .array(subsets)
            updated.setMetadata("labels", labelsJSON)
            _ = try await context.client.update(.endpoints, updated)
        } else {
            var object: JSONValue = [
                "apiVersion": "v1", "kind": "Endpoints",
                "metadata": ["name": .string(serviceName), "namespace": .string(namespace), "labels": labelsJSON],
            ]
            if !subsets.isEmpty { object["subsets"] = .array(subsets) }
            do {
                _ = try await context.client.create(.endpoints, namespace: namespace, object)
            } catch let error as ClientError where error.isAlreadyExists {
                // The cache lags; try again once it has the object.
                throw error
            } catch let error as ClientError where error.code == 403 {
                return  // namespace terminating
            }
        }
    }
}
