import APIModel
import ClusterClient
import Logging

/// Gives every namespace a `default` ServiceAccount, and recreates it when deleted.
public final class ServiceAccountController: Controller {
    public let name = "service-account-controller"
    static let defaultAccount = "default"

    private let context: ControllerContext
    private let namespaces: SharedInformer
    private let serviceAccounts: SharedInformer
    private let queue = WorkQueue<String>(name: "serviceaccount")

    public init(context: ControllerContext) {
        self.context = context
        namespaces = context.informers.informer(for: .namespaces)
        serviceAccounts = context.informers.informer(for: .serviceAccounts)
        let queue = queue
        namespaces.addHandler(InformerHandler(
            onAdd: { queue.enqueue($0.name) },
            onUpdate: { _, new in queue.enqueue(new.name) }))
        serviceAccounts.addHandler(InformerHandler(
            onDelete: { account in
                if account.name == Self.defaultAccount, let namespace = account.namespace { queue.enqueue(namespace) }
            }))
    }

    public func run(workers: Int) async {
        await namespaces.waitForSync()
        await serviceAccounts.waitForSync()
        await runReconcileLoop(queue: queue, workers: workers, logger: context.logger, controller: name) { [self] namespace in
            try await reconcile(namespace: namespace)
        }
    }

    func reconcile(namespace: String) async throws {
        guard let object = namespaces.get(namespace), !object.isBeingDeleted,
              object["status"]?["phase"]?.stringValue != "Terminating" else { return }
        if serviceAccounts.get(namespace: namespace, name: Self.defaultAccount) != nil { return }
        let account: JSONValue = [
            "apiVersion": "v1", "kind": "ServiceAccount",
            "metadata": ["name": .string(Self.defaultAccount), "namespace": .string(namespace)],
        ]
        do {
            _ = try await context.client.create(.serviceAccounts, namespace: namespace, account)
            context.logger.debug("created the default ServiceAccount", metadata: ["namespace": "\(namespace)"])
        } catch let error as ClientError where error.isAlreadyExists {
            return
        } catch let error as ClientError where error.code == 403 || error.isNotFound {
            return  // the namespace began terminating or is gone
        }
    }
}
