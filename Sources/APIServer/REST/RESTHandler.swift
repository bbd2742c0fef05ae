import APIModel
import Foundation
import Logging

/// The semantics of every REST verb behind the router, on top of `ObjectStorage`: body
/// decoding, defaulting and validation, system metadata, optimistic concurrency, finalizers and
/// graceful deletion, subresources, patches, managed fields and namespace admission.
///
/// Stateless apart from its collaborators: every request is one `handle` call, and every
/// read-modify-write goes through `ObjectStorage.update` (compare-and-swap with retry), so
/// concurrent handlers on any number of apiservers stay consistent.
public final class RESTHandler: Sendable {
    let storage: ObjectStorage
    let logger: Logger
    let now: @Sendable () -> Date
    /// Cluster IPs and node ports of Services, claimed in the same store as the objects.
    let services: ServiceAllocator

    public init(storage: ObjectStorage, logger: Logger, now: @escaping @Sendable () -> Date = { Date() }) {
        self.storage = storage
        self.logger = logger
        self.now = now
        self.services = ServiceAllocator(store: storage.store)
    }

    /// Serves one request. Throws `APIError` only: storage failures and anything unexpected
    /// are converted, so the router can always render a `Status`.
    public func handle(_ request: RESTRequest) async throws -> RESTResponse {
        do {
            return try await dispatch(request)
        } catch let error as APIError {
            throw error
        } catch let error as StorageError {
            throw APIError(error)
        } catch {
            logger.error("REST \(request.verb.rawValue) \(request.resource.plural) failed: \(String(describing: error))")
            throw APIError.internalError(String(describing: error))
        }
    }

    func dispatch(_ request: RESTRequest) async throws -> RESTResponse {
        if let sub = request.subresource {
            guard request.resource.subresource(sub) != nil else {
                throw APIError.status(code: 404, reason: "NotFound",
                                      message: "the server could not find the requested resource (\(request.resource.plural)/\(sub))")
            }
            return try await handleSubresource(sub, request)
        }
        let verbName = request.verb == .deleteCollection ? "deletecollection" : request.verb.rawValue
        guard request.resource.verbs.contains(verbName) else {
            throw APIError.methodNotAllowed(request.resource, verb: verbName)
        }
        switch request.verb {
        case .get: return try await get(request)
        case .list: return try await list(request)
        case .create: return try await create(request)
        case .update: return try await update(request)
        case .patch: return try await patch(request)
        case .delete: return try await delete(request)
        case .deleteCollection: return try await deleteCollection(request)
        }
    }

    /// Runs a storage call and turns its `StorageError`s into `APIError`s, leaving `APIError`s
    /// thrown from inside update transforms as they are.
    func storageCall<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as APIError {
            throw error
        } catch let error as StorageError {
            throw APIError(error)
        }
    }
}
