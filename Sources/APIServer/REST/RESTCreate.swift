import APIModel

extension RESTHandler {
    /// POST on a collection: decode, admit into the namespace, fill system fields, default,
    /// validate, record managed fields, store (201). A `generateName` collision is retried with
    /// a fresh suffix.
    func create(_ request: RESTRequest) async throws -> RESTResponse {
        let options = try WriteOptions(request, now: now())
        let resource = request.resource
        let decoded = try decodeBody(request, fieldValidation: options.fieldValidation)
        var object = decoded.object
        let namespace = try effectiveNamespace(object, request: request)
        if resource.namespaced { object.setMeta("namespace", .string(namespace ?? "")) } else { object.setMeta("namespace", nil) }
        if let rv = object.metaString("resourceVersion"), !rv.isEmpty {
            throw APIError.badRequest("resourceVersion should not be set on objects to be created")
        }
        if let namespace, resource.namespaced { try await admitIntoNamespace(namespace, resource: resource, name: object.metaString("name") ?? "") }
        let stored = try await createPrepared(object, resource: resource, namespace: namespace, options: options)
        return RESTResponse(code: 201, payload: .object(stored.object), warnings: decoded.warnings)
    }

    /// The create path after decoding and admission, shared with server-side apply's create:
    /// generateName, system fields, defaulting, validation, managed fields, storage.
    func createPrepared(_ input: JSONValue, resource: ResourceInfo, namespace: String?, options: WriteOptions,
                        recordManagedFields: Bool = true) async throws -> StoredObject
    {
        let generateName = input.metaString("generateName") ?? ""
        let generate = (input.metaString("name") ?? "").isEmpty && !generateName.isEmpty
        var attempt = 0
        while true {
            attempt += 1
            var object = input
            if generate { object.setMeta("name", .string(ObjectRules.generatedName(generateName))) }
            let name = object.metaString("name") ?? ""
            object = try prepareCreateObject(object, resource: resource, options: options, recordManagedFields: recordManagedFields)
            do {
                return try await storageCall {
                    try await storage.create(resource, namespace: namespace, name: name, object: object, dryRun: options.dryRun)
                }
            } catch let error as APIError where generate && error.code == 409 && attempt < 8 {
                continue
            }
        }
    }

    /// The synchronous part of create (also run inside update transforms for kinds that PUT may
    /// create): defaulting, system fields, validation, managed fields.
    func prepareCreateObject(_ input: JSONValue, resource: ResourceInfo, options: WriteOptions,
                             recordManagedFields: Bool = true) throws -> JSONValue
    {
        var object = input
        Defaulting.apply(&object, resource: resource)
        DefaultTolerations.admit(&object, resource: resource)
        ObjectRules.prepareForCreate(&object, resource: resource, time: options.time)
        let errors = Validation.validate(object, resource: resource)
        if !errors.isEmpty { throw APIError.invalid(resource, name: object.metaString("name") ?? "", errors: errors) }
        if recordManagedFields {
            object = ManagedFields.recordUpdate(old: nil, new: object, manager: options.fieldManager, subresource: nil,
                                                apiVersion: resource.gvk.apiVersion, time: options.time, schema: resource.schema)
        } else {
            object.setMeta("managedFields", input.meta("managedFields"))
        }
        return object
    }

    /// The namespace the object goes into: the URL's, which the body must agree with (an empty
    /// body namespace is filled). nil for cluster-scoped kinds.
    func effectiveNamespace(_ object: JSONValue, request: RESTRequest) throws -> String? {
        guard request.resource.namespaced else { return nil }
        let bodyNamespace = object.metaString("namespace") ?? ""
        guard let urlNamespace = request.namespace, !urlNamespace.isEmpty else {
            if bodyNamespace.isEmpty {
                throw APIError.badRequest("the namespace of the object must be set: \(request.resource.plural) are namespaced")
            }
            return bodyNamespace
        }
        if !bodyNamespace.isEmpty && bodyNamespace != urlNamespace {
            throw APIError.badRequest("the namespace of the provided object does not match the namespace sent on the request")
        }
        return urlNamespace
    }
}
