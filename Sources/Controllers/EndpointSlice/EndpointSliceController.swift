import APIModel
import ClusterClient
import Logging

/// Keeps each selector Service's EndpointSlices (`discovery.k8s.io/v1`, IPv4, at most 100
/// endpoints each, labelled with the service name and this controller as manager, owned by
/// the Service) equal to its pods, rewriting slices in place rather than replacing them.
public final class EndpointSliceController: Controller {
    public let name = "endpointslice-controller"

    private let context: ControllerContext
    private let services: SharedInformer
    private let pods: SharedInformer
    private let nodes: SharedInformer
    private let slices: SharedInformer
    private let queue = WorkQueue<String>(name: "endpointslice")

    public init(context: ControllerContext) {
        self.context = context
        services = context.informers.informer(for: .services)
        pods = context.informers.informer(for: .pods)
        nodes = context.informers.informer(for: .nodes)
        slices = context.informers.informer(for: .endpointSlices)
        ServicePodIndex.wire(services: services, pods: pods, queue: queue)
        slices.addIndex("service") { slice in
            guard let service = slice.labels[EndpointSliceComputation.serviceNameLabel],
                  slice.labels[EndpointSliceComputation.managedByLabel] == EndpointSliceComputation.managedByValue,
                  let namespace = slice.namespace else { return [] }
            return ["\(namespace)/\(service)"]
        }
        let queue = queue
        let enqueueOwner: @Sendable (JSONValue) -> Void = { slice in
            guard let service = slice.labels[EndpointSliceComputation.serviceNameLabel],
                  slice.labels[EndpointSliceComputation.managedByLabel] == EndpointSliceComputation.managedByValue,
                  let namespace = slice.namespace else { return }
            queue.enqueue("\(namespace)/\(service)")
        }
        slices.addHandler(InformerHandler(onUpdate: { _, new in enqueueOwner(new) }, onDelete: { enqueueOwner($0) }))
    }

    public func run(workers: Int) async {
        await services.waitForSync()
        await pods.waitForSync()
        await nodes.waitForSync()
        await slices.waitForSync()
        await runReconcileLoop(queue: queue, workers: workers, logger: context.logger, controller: name) { [self] key in
            try await reconcile(key: key)
        }
    }

    func reconcile(key: String) async throws {
        let parts = key.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return }
        let namespace = parts[0]
        let existing = slices.byIndex("service", key)
        // A deleted Service's slices are collected through their owner reference.
        guard let service = services.get(key), !service.isBeingDeleted,
              let selected = ServiceBackends.selectedPods(service: service, pods: pods.list(namespace: namespace)) else { return }
        var nodesByName: [String: JSONValue] = [:]
        for pod in selected where !pod.podNodeName.isEmpty { nodesByName[pod.podNodeName] = nodes.get(pod.podNodeName) }
        let desired = EndpointSliceComputation.desiredEndpoints(service: service, pods: selected, nodes: nodesByName)
        let plan = EndpointSliceComputation.plan(existing: existing, desired: desired)
        let labels = sliceLabels(service)
        let client = context.client

        for name in plan.deletes {
            do {
                try await client.delete(.endpointSlices, namespace: namespace, name: name)
            } catch let error as ClientError where error.isNotFound {}
        }
        for slice in plan.updates {
            var updated = slice
            updated.setMetadata("labels", labels)
            _ = try await client.update(.endpointSlices, updated)
        }
        // Slices whose labels drifted (a Service label changed) but whose content did not.
        let rewritten = Set(plan.updates.map(\.name)).union(plan.deletes)
        for slice in existing where !rewritten.contains(slice.name) && slice["metadata"]?["labels"] != labels {
            var updated = slice
            updated.setMetadata("labels", labels)
            _ = try await client.update(.endpointSlices, updated)
        }
        for create in plan.creates {
            let slice: JSONValue = [
                "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": [
                    "generateName": .string("\(service.name)-"), "namespace": .string(namespace), "labels": labels,
                    "ownerReferences": [service.controllerOwnerReference(apiVersion: "v1", kind: "Service")],
                ],
                "addressType": "IPv4",
                "endpoints": .array(create.endpoints),
                "ports": .array(create.ports),
            ]
            do {
                _ = try await client.create(.endpointSlices, namespace: namespace, slice)
            } catch let error as ClientError where error.code == 403 {
                return  // namespace terminating
            }
        }
    }

    /// The Service's labels plus the service-name and managed-by labels (and the headless
    /// marker), keys sorted so a comparison with the stored labels is stable.
    private func sliceLabels(_ service: JSONValue) -> JSONValue {
        var labels = service.labels
        labels[EndpointSliceComputation.serviceNameLabel] = service.name
        labels[EndpointSliceComputation.managedByLabel] = EndpointSliceComputation.managedByValue
        if ServiceBackends.isHeadless(service) { labels[EndpointsController.headlessLabel] = "" }
        let keys = labels.keys.sorted()
        return .object(JSONObject(keys: keys, values: keys.map { .string(labels[$0] ?? "") }))
    }
}
