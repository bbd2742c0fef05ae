import APIModel
import Foundation

/// What one DELETE decided to do with the object it read.
private enum DeletePlan {
    case now
    /// Keep the object: set deletionTimestamp (+ grace), finalizers, namespace phase.
    case mark(JSONValue)
}

extension RESTHandler {
    /// Finalizers the garbage collector (a later piece of work) acts on.
    static let foregroundFinalizer = "foregroundDeletion"
    static let orphanFinalizer = "orphan"

    /// DELETE of one object.
    ///
    /// Objects with finalizers, namespaces with `spec.finalizers`, and pods bound to a node
    /// (graceful: deletionTimestamp = now + grace, grace from the options or the pod's
    /// `terminationGracePeriodSeconds`, 30) are only marked and stay until their finalizers are
    /// removed / the node agent confirms with grace 0. Everything else is deleted at once.
    /// Foreground and Orphan propagation add the `foregroundDeletion` / `orphan` finalizers.
    /// Answers 200 with the object either way (202 only for the legacy `orphanDependents=false`
    /// on a marked object, as Kubernetes does).
    func delete(_ request: RESTRequest) async throws -> RESTResponse {
        let options = try DeleteRequestOptions(request, decodeProtobuf: decodeProtobuf)
        let name = request.name ?? ""
        let resource = request.resource
        if resource.group.isEmpty && resource.kind == "Namespace" && Self.systemNamespaces.contains(name) {
            throw APIError.forbidden(resource, name: name, detail: "this namespace may not be deleted")
        }
        let (object, marked) = try await deleteObject(resource, namespace: request.namespace, name: name, options: options)
        let code = marked && options.orphanDependents == false ? 202 : 200
        return RESTResponse(code: code, payload: .object(object))
    }

    /// Deletes or marks one object; returns it and whether it was only marked.
    func deleteObject(_ resource: ResourceInfo, namespace: String?, name: String,
                      options: DeleteRequestOptions) async throws -> (JSONValue, Bool)
    {
        let time = now()
        for _ in 0..<16 {
            let current = try await storageCall { try await storage.get(resource, namespace: namespace, name: name) }
            try checkPreconditions(current.object, resource: resource, options: options)
            switch try plan(current.object, resource: resource, options: options, now: time) {
            case .now:
                do {
                    let deleted = try await storageCall {
                        try await storage.delete(resource, namespace: namespace, name: name,
                                                 preconditions: DeletePreconditions(uid: current.object.metaString("uid"),
                                                                                    resourceVersion: String(current.resourceVersion)),
                                                 dryRun: options.dryRun)
                    }
                    if !options.dryRun { await releaseServiceAddresses(deleted.object, resource: resource) }
                    return (deleted.object, false)
                } catch let error as APIError where error.code == 409 {
                    continue  // changed under us: decide again on the new version
                }
            case .mark(let marked):
                if ObjectRules.comparable(marked) == ObjectRules.comparable(current.object) { return (current.object, true) }
                let expected = current.resourceVersion
                do {
                    let result = try await storageCall {
                        try await storage.update(resource, namespace: namespace, name: name, dryRun: options.dryRun,
                                                 allowCreate: false) { latest in
                            guard let latest, latest.resourceVersion == expected else {
                                throw APIError.conflict(resource, name: name)
                            }
                            return marked
                        }
                    }
                    return (result.object.object, true)
                } catch let error as APIError where error.code == 409 && error.reason == "Conflict" {
                    continue
                }
            }
        }
        throw APIError.conflict(resource, name: name)
    }

    /// UID and resourceVersion preconditions from DeleteOptions → 409.
    func checkPreconditions(_ object: JSONValue, resource: ResourceInfo, options: DeleteRequestOptions) throws {
        let name = object.metaString("name") ?? ""
        if let uid = options.preconditionUID, !uid.isEmpty, uid != object.metaString("uid") {
            throw APIError.conflict(resource, name: name,
                                    detail: "Precondition failed: UID in precondition: \(uid), UID in object meta: \(object.metaString("uid") ?? "")")
        }
        if let rv = options.preconditionResourceVersion, !rv.isEmpty, rv != object.metaString("resourceVersion") {
            throw APIError.conflict(resource, name: name,
                                    detail: "Precondition failed: ResourceVersion in precondition: \(rv), ResourceVersion in object meta: \(object.metaString("resourceVersion") ?? "")")
        }
    }

    /// Grace period for this deletion: pods bound to a node and still running get one.
    static func gracePeriod(_ object: JSONValue, resource: ResourceInfo, options: DeleteRequestOptions) -> Int64 {
        guard resource.group.isEmpty && resource.kind == "Pod" else { return 0 }
        let nodeName = object["spec"]?["nodeName"]?.stringValue ?? ""
        let phase = object["status"]?["phase"]?.stringValue ?? ""
        if nodeName.isEmpty || phase == "Succeeded" || phase == "Failed" { return 0 }
        var grace = options.gracePeriodSeconds ?? object["spec"]?["terminationGracePeriodSeconds"]?.intValue ?? 30
        if grace < 0 { grace = 1 }
        return grace
    }

    private func plan(_ object: JSONValue, resource: ResourceInfo, options: DeleteRequestOptions, now: Date) throws -> DeletePlan {
        var finalizers = object.finalizers
        switch options.propagation {
        case .foreground:
            finalizers.removeAll { $0 == Self.orphanFinalizer }
            if !finalizers.contains(Self.foregroundFinalizer) { finalizers.append(Self.foregroundFinalizer) }
        case .orphan:
            finalizers.removeAll { $0 == Self.foregroundFinalizer }
            if !finalizers.contains(Self.orphanFinalizer) { finalizers.append(Self.orphanFinalizer) }
        case .background:
            if options.propagationPolicy != nil || options.orphanDependents != nil {
                finalizers.removeAll { $0 == Self.orphanFinalizer }
            }
        }
        let isNamespace = resource.group.isEmpty && resource.kind == "Namespace"
        let namespaceFinalizers = isNamespace ? (object["spec"]?["finalizers"]?.arrayValue ?? []) : []
        var grace = Self.gracePeriod(object, resource: resource, options: options)
        if object.isBeingDeleted, let pending = object.meta("deletionGracePeriodSeconds")?.intValue, pending < grace {
            grace = pending  // a second delete may shorten the grace period, never extend it
        }
        if finalizers.isEmpty && namespaceFinalizers.isEmpty && grace == 0 { return .now }

        var marked = object
        marked.setFinalizers(finalizers)
        let existing = object.meta("deletionGracePeriodSeconds")?.intValue
        if !object.isBeingDeleted || existing.map({ grace < $0 }) == true {
            marked.setMeta("deletionTimestamp", .string(Timestamps.format(now.addingTimeInterval(TimeInterval(grace)))))
            marked.setMeta("deletionGracePeriodSeconds", .int(grace))
        }
        if isNamespace {
            marked.modify("status") { status in
                var s = status ?? .emptyObject
                s["phase"] = "Terminating"
                status = s
            }
        }
        return .mark(marked)
    }

    /// A deleted Service's cluster IP and node ports become free again.
    func releaseServiceAddresses(_ object: JSONValue, resource: ResourceInfo) async {
        guard resource.group.isEmpty, resource.kind == "Service" else { return }
        await services.releaseAll(of: object)
    }

    /// After an update: an object being deleted whose last finalizer is gone (and whose grace
    /// period is over) is deleted now. Returns what the client should see.
    func deleteIfFinalized(_ stored: StoredObject, resource: ResourceInfo, namespace: String?, dryRun: Bool) async throws -> JSONValue {
        let object = stored.object
        guard object.isBeingDeleted, object.finalizers.isEmpty, !dryRun else { return object }
        if (object.meta("deletionGracePeriodSeconds")?.intValue ?? 0) > 0 { return object }
        if resource.group.isEmpty && resource.kind == "Namespace" && !(object["spec"]?["finalizers"]?.arrayValue ?? []).isEmpty {
            return object
        }
        do {
            let deleted = try await storageCall {
                try await storage.delete(resource, namespace: namespace, name: object.metaString("name") ?? "",
                                         preconditions: DeletePreconditions(uid: object.metaString("uid"),
                                                                            resourceVersion: String(stored.resourceVersion)),
                                         dryRun: false)
            }
            await releaseServiceAddresses(deleted.object, resource: resource)
            return deleted.object
        } catch let error as APIError where error.code == 404 || error.code == 409 {
            return object  // someone else finished or changed it first
        }
    }

    /// DELETE on a collection: every object the selectors match, each as a single DELETE would.
    func deleteCollection(_ request: RESTRequest) async throws -> RESTResponse {
        let options = try DeleteRequestOptions(request, decodeProtobuf: decodeProtobuf)
        var listOptions = try parseListOptions(request)
        listOptions.limit = nil
        listOptions.continueToken = nil
        let result = try await storageCall { try await storage.list(request.resource, namespace: request.namespace, options: listOptions) }
        var items: [JSONValue] = []
        for item in result.items {
            let name = item.object.metaString("name") ?? ""
            let namespace = request.resource.namespaced ? item.object.metaString("namespace") : nil
            do {
                let (object, _) = try await deleteObject(request.resource, namespace: namespace, name: name, options: options)
                items.append(object)
            } catch let error as APIError where error.code == 404 {
                continue
            }
        }
        return RESTResponse(code: 200, payload: .list(items: items, resourceVersion: String(result.resourceVersion),
                                                       continueToken: nil, remainingItemCount: nil))
    }
}
