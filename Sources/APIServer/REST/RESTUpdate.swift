import APIModel

/// Which part of an object a write may change.
enum WriteScope: Sendable, Equatable {
    /// The resource itself; the stored status is kept for kinds with a status subresource.
    case main
    /// `/status`: only status changes.
    case status
    /// `namespaces/<n>/finalize`: only `spec.finalizers` changes.
    case finalize

    var subresource: String? {
        switch self {
        case .main: return nil
        case .status: return "status"
        case .finalize: return "finalize"
        }
    }
}

extension RESTHandler {
    /// Kinds a PUT creates when absent (Kubernetes' `AllowCreateOnUpdate`).
    static func allowsCreateOnUpdate(_ resource: ResourceInfo) -> Bool {
        switch (resource.group, resource.kind) {
        case ("", "Endpoints"), ("", "Event"), ("events.k8s.io", "Event"), ("coordination.k8s.io", "Lease"),
             ("discovery.k8s.io", "EndpointSlice"):
            return true
        default:
            return false
        }
    }

    /// PUT on the resource or on `/status` / `/finalize`: optimistic concurrency when the body
    /// carries a resourceVersion, unconditional otherwise.
    func update(_ request: RESTRequest, scope: WriteScope = .main) async throws -> RESTResponse {
        let options = try WriteOptions(request, now: now())
        let resource = request.resource
        let name = request.name ?? ""
        let decoded = try decodeBody(request, fieldValidation: options.fieldValidation)
        var desired = decoded.object
        let bodyName = desired.metaString("name") ?? ""
        if bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        let namespace = try effectiveNamespace(desired, request: request)
        if resource.namespaced { desired.setMeta("namespace", .string(namespace ?? "")) } else { desired.setMeta("namespace", nil) }
        let allowCreate = scope == .main && Self.allowsCreateOnUpdate(resource)
        if allowCreate, let namespace { try await requireNamespace(namespace) }
        let input = desired
        let result = try await storageCall {
            try await storage.update(resource, namespace: namespace, name: name, dryRun: options.dryRun, allowCreate: allowCreate) { current in
                guard let current else {
                    if let rv = input.metaString("resourceVersion"), !rv.isEmpty {
                        throw APIError.notFound(resource, name: name)
                    }
                    return try self.prepareCreateObject(input, resource: resource, options: options)
                }
                return try self.finishUpdate(old: current, desired: input, resource: resource, scope: scope, options: options)
            }
        }
        let final = try await deleteIfFinalized(result.object, resource: resource, namespace: namespace, dryRun: options.dryRun)
        return RESTResponse(code: result.created ? 201 : 200, payload: .object(final), warnings: decoded.warnings)
    }

    /// Turns what a client wants stored (a PUT body or a patched object) into what is stored:
    /// resourceVersion precondition, scope rules, system fields, defaulting, update validation,
    /// finalizer rules, generation, managed fields. Returns `old` itself when nothing changed,
    /// so storage writes nothing. Runs inside the storage transform (synchronous, may rerun).
    func finishUpdate(old current: StoredObject, desired: JSONValue, resource: ResourceInfo, scope: WriteScope,
                      options: WriteOptions, managedFieldsDone: Bool = false) throws -> JSONValue
    {
        let old = current.object
        let name = old.metaString("name") ?? ""
        if let rv = desired.metaString("resourceVersion"), !rv.isEmpty, rv != String(current.resourceVersion) {
            throw APIError.conflict(resource, name: name)
        }
        try checkTypeMeta(desired, resource: resource)
        var new: JSONValue
        switch scope {
        case .main:
            new = desired
            new["apiVersion"] = .string(resource.gvk.apiVersion)
            new["kind"] = .string(resource.kind)
            ObjectRules.prepareForUpdate(&new, old: old, resource: resource)
            if ObjectRules.hasStatus(resource) { new["status"] = old["status"] }
        case .status:
            new = old
            new["status"] = desired["status"]
            if managedFieldsDone { new.setMeta("managedFields", desired.meta("managedFields")) }
        case .finalize:
            new = old
            new.modify("spec") { spec in
                var s = spec ?? .emptyObject
                s["finalizers"] = desired["spec"]?["finalizers"]
                spec = s
            }
        }
        new.setMeta("resourceVersion", old.meta("resourceVersion"))
        Defaulting.apply(&new, resource: resource)
        var errors = Validation.validateUpdate(old: old, new: new, resource: resource)
        if old.isBeingDeleted {
            let added = new.finalizers.filter { !old.finalizers.contains($0) }
            if !added.isEmpty {
                errors.append(.forbidden(FieldPath("metadata.finalizers"),
                                         "no new finalizers can be added if the object is being deleted, found new finalizers \(added)"))
            }
        }
        if !errors.isEmpty { throw APIError.invalid(resource, name: name, errors: errors) }
        if scope == .main { ObjectRules.bumpGeneration(&new, old: old, resource: resource) }
        if managedFieldsDone {
            if ObjectRules.comparable(new) == ObjectRules.comparable(old)
                && ManagedFieldsCompare.withoutTimes(new.meta("managedFields")) == ManagedFieldsCompare.withoutTimes(old.meta("managedFields"))
            {
                return old
            }
            return new
        }
        if ObjectRules.comparable(new) == ObjectRules.comparable(old) { return old }
        return ManagedFields.recordUpdate(old: old, new: new, manager: options.fieldManager, subresource: options.subresource ?? scope.subresource,
                                          apiVersion: resource.gvk.apiVersion, time: options.time, schema: resource.schema)
    }

    /// A body (or patch result) may not change the kind or the API version.
    func checkTypeMeta(_ object: JSONValue, resource: ResourceInfo) throws {
        if let kind = object["kind"]?.stringValue, !kind.isEmpty, kind != resource.kind {
            throw APIError.badRequest("the kind in the body (\(kind)) does not match the expected kind (\(resource.kind))")
        }
        if let apiVersion = object["apiVersion"]?.stringValue, !apiVersion.isEmpty, apiVersion != resource.gvk.apiVersion {
            throw APIError.badRequest("the API version in the data (\(apiVersion)) does not match the expected API version (\(resource.gvk.apiVersion))")
        }
    }
}

/// Managed-fields entries compared without their `time`, so a repeated identical apply is a no-op.
enum ManagedFieldsCompare {
    static func withoutTimes(_ entries: JSONValue?) -> JSONValue? {
        guard let list = entries?.arrayValue else { return entries }
        return .array(list.map { entry in
            var e = entry
            if case .object(var o) = e {
                o.removeValue(forKey: "time")
                e = .object(o)
            }
            return e
        })
    }
}
