import APIModel
import ClusterClient
import Foundation
import Logging

/// Namespace deletion: once a namespace has a deletionTimestamp, deletes every namespaced
/// object in it (every namespaced resource discovery lists), reports progress in the
/// namespace's conditions, and when nothing is left removes the `kubernetes` finalizer
/// through `namespaces/{name}/finalize`, which lets the apiserver delete the namespace.
public final class NamespaceController: Controller {
    public let name = "namespace-controller"
    static let finalizer = "kubernetes"

    private let context: ControllerContext
    private let namespaces: SharedInformer
    private let queue = WorkQueue<String>(name: "namespace")

    public init(context: ControllerContext) {
        self.context = context
        namespaces = context.informers.informer(for: .namespaces)
        let queue = queue
        namespaces.addHandler(InformerHandler(
            onAdd: { if $0.isBeingDeleted { queue.enqueue($0.name) } },
            onUpdate: { _, new in if new.isBeingDeleted { queue.enqueue(new.name) } }))
    }

    public func run(workers: Int) async {
        await namespaces.waitForSync()
        await runReconcileLoop(queue: queue, workers: workers, logger: context.logger, controller: name) { [self] namespace in
            try await reconcile(namespace: namespace)
        }
    }

    struct ContentRemaining: Error {}

    func reconcile(namespace: String) async throws {
        let client = context.client
        let object: JSONValue
        do {
            object = try await client.get(.namespaces, name: namespace)
        } catch let error as ClientError where error.isNotFound {
            return
        }
        guard object.isBeingDeleted else { return }
        let specFinalizers = object["spec"]?["finalizers"]?.arrayValue?.compactMap(\.stringValue) ?? []
        guard specFinalizers.contains(Self.finalizer) else { return }

        var outcome = NamespaceDeletionConditions.Outcome()
        var resources: [NamespacedResourceDiscovery.Resource] = []
        do {
            resources = try await NamespacedResourceDiscovery.discover(client: client)
        } catch {
            outcome.discoveryFailure = "\(error)"
        }
        var failures: [String] = []
        for resource in resources {
            do {
                let (count, finalizers) = try await deleteContent(resource, namespace: namespace)
                if count > 0 { outcome.remaining["\(resource.ref.plural).\(resource.ref.group)", default: 0] += count }
                for (finalizer, n) in finalizers { outcome.finalizers[finalizer, default: 0] += n }
            } catch {
                failures.append("\(resource.ref): \(error)")
            }
        }
        if !failures.isEmpty { outcome.contentFailure = failures.joined(separator: "; ") }
        try await writeConditions(outcome, namespace: namespace)

        if outcome.discoveryFailure != nil || outcome.contentFailure != nil { throw ContentRemaining() }
        if !outcome.remaining.isEmpty {
            // Graceful deletions and finalizers take their time: look again shortly.
            await queue.add(namespace, after: .seconds(1))
            return
        }
        try await finalize(namespace: namespace)
    }

    /// Deletes the resource's objects in the namespace; returns how many remain and the
    /// finalizers they carry.
    private func deleteContent(_ resource: NamespacedResourceDiscovery.Resource, namespace: String) async throws -> (Int, [String: Int]) {
        let client = context.client
        var items = try await client.listAll(resource.ref, namespace: namespace).items
        if items.isEmpty { return (0, [:]) }
        if resource.canDeleteCollection {
            try await client.deleteCollection(resource.ref, namespace: namespace, options: ListOptions())
        } else {
            for item in items where !item.isBeingDeleted {
                do {
                    try await client.delete(resource.ref, namespace: namespace, name: item.name)
                } catch let error as ClientError where error.isNotFound {}
            }
        }
        items = try await client.listAll(resource.ref, namespace: namespace).items
        var finalizers: [String: Int] = [:]
        for item in items { for finalizer in item.finalizers { finalizers[finalizer, default: 0] += 1 } }
        return (items.count, finalizers)
    }

    private func writeConditions(_ outcome: NamespaceDeletionConditions.Outcome, namespace: String) async throws {
        for _ in 0..<3 {
            let current = try await context.client.get(.namespaces, name: namespace)
            var updated = current
            let existing = current["status"]?["conditions"]?.arrayValue ?? []
            updated.modify("status") { status in
                var s = status ?? .emptyObject
                s["phase"] = "Terminating"
                s["conditions"] = .array(NamespaceDeletionConditions.conditions(outcome, existing: existing, now: ControllerTime.now))
                status = s
            }
            if updated == current { return }
            do {
                _ = try await context.client.update(.namespaces, updated, subresource: "status")
                return
            } catch let error as ClientError where error.isConflict {
                continue
            }
        }
    }

    private func finalize(namespace: String) async throws {
        for _ in 0..<5 {
            let current: JSONValue
            do {
                current = try await context.client.get(.namespaces, name: namespace)
            } catch let error as ClientError where error.isNotFound {
                return
            }
            var updated = current
            updated.modify("spec") { spec in
                var s = spec ?? .emptyObject
                let kept = (s["finalizers"]?.arrayValue ?? []).filter { $0.stringValue != Self.finalizer }
                s["finalizers"] = .array(kept)
                spec = s
            }
            do {
                _ = try await context.client.update(.namespaces, updated, subresource: "finalize")
                context.logger.info("namespace emptied and finalized", metadata: ["namespace": "\(namespace)"])
                return
            } catch let error as ClientError where error.isConflict {
                continue
            } catch let error as ClientError where error.isNotFound {
                return
            }
        }
        throw ContentRemaining()
    }
}
