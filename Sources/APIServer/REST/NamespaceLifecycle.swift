import APIModel
import Foundation

/// Namespace admission and lifecycle.
///
/// Creating into a namespace that does not exist answers 404 naming the namespace; into one
/// that is Terminating, 403. Deleting a namespace only marks it: deletionTimestamp set and
/// `status.phase` Terminating, kept in place by the `kubernetes` entry in `spec.finalizers`
/// (defaulted at create). Emptying it and removing that finalizer (through `/finalize`) is the
/// namespace controller's job, a later piece of work; until it exists a deleted namespace
/// stays Terminating. The four system namespaces can never be deleted.
extension RESTHandler {
    static let systemNamespaces = ["default", "kube-system", "kube-public", "kube-node-lease"]

    static let namespaceResource: ResourceInfo? = ResourceRegistry.resource(group: "", version: "v1", plural: "namespaces")

    func namespaceInfo() throws -> ResourceInfo {
        guard let r = Self.namespaceResource else { throw APIError.internalError("namespaces are not registered") }
        return r
    }

    /// The stored namespace, or 404 naming it.
    @discardableResult
    func requireNamespace(_ namespace: String) async throws -> JSONValue {
        let info = try namespaceInfo()
        do {
            // A linearizable read, not the watch cache: a namespace deleted a moment ago must
            // already refuse new content (the cache may lag by an event).
            return try await storage.get(info, namespace: nil, name: namespace).object
        } catch let error as StorageError where error.code == 404 {
            throw APIError.namespaceNotFound(namespace)
        } catch let error as StorageError {
            throw APIError(error)
        }
    }

    /// Admission for creating `name` of `resource` in `namespace`.
    func admitIntoNamespace(_ namespace: String, resource: ResourceInfo, name: String) async throws {
        let ns = try await requireNamespace(namespace)
        if ns.isBeingDeleted || ns["status"]?["phase"]?.stringValue == "Terminating" {
            let detail = "unable to create new content in namespace \(namespace) because it is being terminated"
            throw APIError.forbidden(resource, name: name, detail: detail, causes: [[
                "reason": "NamespaceTerminating", "message": .string(detail), "field": "metadata.namespace",
            ]])
        }
    }

    /// Creates the system namespaces that are missing (idempotent; run at every start).
    public func bootstrap() async throws {
        let info = try namespaceInfo()
        let options = WriteOptions(system: now(), manager: "kube-apiserver")
        for name in Self.systemNamespaces {
            let object: JSONValue = ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]]
            do {
                _ = try await createPrepared(object, resource: info, namespace: nil, options: options)
            } catch let error as APIError where error.code == 409 {
                continue
            }
        }
    }
}

extension WriteOptions {
    /// Options for the server's own writes.
    init(system date: Date, manager: String) {
        dryRun = false
        fieldValidation = .ignore
        fieldManager = manager
        self.date = date
        time = Timestamps.format(date)
    }
}
