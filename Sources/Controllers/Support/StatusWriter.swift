import APIModel
import ClusterClient

/// Writes a controller's status: a PUT of the object's `status` subresource; when the cached
/// copy was stale (409 Conflict), the latest object is read and the same status written
/// onto it, as client-go's status updaters retry. A status is computed from the pods, not
/// from the old status's resourceVersion, so writing it onto a newer copy is right.
enum StatusWriter {
    @discardableResult
    static func write(_ client: ClusterClient, _ resource: ResourceRef, _ object: JSONValue, status: JSONValue,
                      attempts: Int = 3) async throws -> JSONValue {
        var current = object
        var attempt = 0
        while true {
            attempt += 1
            var updated = current
            updated["status"] = status
            do {
                return try await client.update(resource, updated, subresource: "status")
            } catch let error as ClientError where error.isConflict && attempt < attempts {
                current = try await client.get(resource, namespace: object.namespace, name: object.name)
                guard current.uid == object.uid else { throw error }
                if current["status"] == status { return current }
            }
        }
    }
}
