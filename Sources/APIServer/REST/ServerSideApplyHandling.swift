import APIModel

extension RESTHandler {
    /// `application/apply-patch+yaml`: the body is the manager's full intent. Creates the
    /// object when absent (201; namespace admission applies), merges otherwise (200); conflicts
    /// with other managers' fields → 409 with one `FieldManagerConflict` cause each, unless
    /// `force=true`.
    func apply(_ request: RESTRequest, scope: WriteScope) async throws -> RESTResponse {
        let options = try WriteOptions(request, now: now())
        guard let manager = request.queryValue("fieldManager"), !manager.isEmpty else {
            throw APIError.badRequest("PATCH requests with content type application/apply-patch+yaml must have a fieldManager query parameter")
        }
        let force: Bool
        switch request.queryValue("force") ?? "" {
        case "", "false": force = false
        case "true": force = true
        case let other: throw APIError.badRequest("invalid force value \"\(other)\": must be true or false")
        }
        let resource = request.resource
        let name = request.name ?? ""
        let decoded = try decodeChecked(request.body, contentType: MediaType.yaml, resource: resource, expectedKind: nil,
                                        fieldValidation: options.fieldValidation)
        var config = decoded.object
        let bodyName = config.metaString("name") ?? ""
        if bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        let namespace = try effectiveNamespace(config, request: request)
        if resource.namespaced { config.setMeta("namespace", .string(namespace ?? "")) }
        let input = config

        for _ in 0..<4 {
            let exists: Bool
            do {
                _ = try await storage.get(resource, namespace: namespace, name: name)
                exists = true
            } catch let error as StorageError where error.code == 404 {
                exists = false
            } catch let error as StorageError {
                throw APIError(error)
            }
            if !exists {
                guard scope == .main else { throw APIError.notFound(resource, name: name) }
                if let namespace, resource.namespaced { try await admitIntoNamespace(namespace, resource: resource, name: name) }
                let created = try Self.serverSideApply(input, to: nil, resource: resource, manager: manager, force: force, options: options)
                do {
                    let stored = try await createPrepared(created, resource: resource, namespace: namespace, options: options,
                                                          recordManagedFields: false)
                    return RESTResponse(code: 201, payload: .object(stored.object), warnings: decoded.warnings)
                } catch let error as APIError where error.code == 409 && error.reason == "AlreadyExists" {
                    continue  // created meanwhile: apply onto it
                }
            }
            do {
                let result = try await storageCall {
                    try await storage.update(resource, namespace: namespace, name: name, dryRun: options.dryRun, allowCreate: false) { current in
                        guard let current else { throw APIError.notFound(resource, name: name) }
                        let merged = try Self.serverSideApply(input, to: current.object, resource: resource, manager: manager,
                                                              force: force, options: options)
                        return try self.finishUpdate(old: current, desired: merged, resource: resource, scope: scope,
                                                     options: options, managedFieldsDone: true)
                    }
                }
                let final = try await deleteIfFinalized(result.object, resource: resource, namespace: namespace, dryRun: options.dryRun)
                return RESTResponse(code: 200, payload: .object(final), warnings: decoded.warnings)
            } catch let error as APIError where error.code == 404 {
                continue  // deleted meanwhile: create it
            }
        }
        throw APIError.conflict(resource, name: name)
    }

    /// `ServerSideApply.apply` with its errors as API errors.
    static func serverSideApply(_ config: JSONValue, to live: JSONValue?, resource: ResourceInfo, manager: String, force: Bool,
                                options: WriteOptions) throws -> JSONValue
    {
        do {
            return try ServerSideApply.apply(config, to: live, manager: manager, force: force, schema: resource.schema,
                                             apiVersion: resource.gvk.apiVersion, time: options.time)
        } catch let error as ServerSideApplyError {
            let name = config.metaString("name") ?? ""
            switch error {
            case .conflicts(let conflicts):
                throw APIError.status(code: 409, reason: "Conflict", message: error.message,
                                      name: name, group: resource.group, kind: resource.plural,
                                      causes: conflicts.map { conflict in
                                          ["reason": "FieldManagerConflict", "message": .string(conflict.message),
                                           "field": .string(conflict.field)]
                                      })
            case .invalid(let message):
                throw APIError.badRequest(message)
            }
        }
    }
}
