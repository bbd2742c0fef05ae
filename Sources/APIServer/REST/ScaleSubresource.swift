import APIModel

/// `/scale` of deployments, replicasets, statefulsets and replicationcontrollers: an
/// `autoscaling/v1` Scale view of `spec.replicas`, `status.replicas` and the selector.
extension RESTHandler {
    static let scaleKind = GroupVersionKind(group: "autoscaling", version: "v1", kind: "Scale")

    /// The Scale for a stored object.
    static func scale(of object: JSONValue, resource: ResourceInfo) -> JSONValue {
        var metadata: JSONValue = .emptyObject
        for key in ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"] {
            if let v = object.meta(key) { metadata[key] = v }
        }
        var status: JSONValue = ["replicas": object["status"]?["replicas"] ?? 0]
        let selector = selectorString(object["spec"]?["selector"], mapStyle: resource.kind == "ReplicationController")
        if !selector.isEmpty { status["selector"] = .string(selector) }
        return [
            "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": metadata,
            "spec": ["replicas": object["spec"]?["replicas"] ?? 0], "status": status,
        ]
    }

    /// A label selector in its string form (`app=web,tier in (a,b)`); RCs use a plain map.
    static func selectorString(_ selector: JSONValue?, mapStyle: Bool) -> String {
        guard let selector else { return "" }
        var terms: [String] = []
        let labels = mapStyle ? selector.objectValue : selector["matchLabels"]?.objectValue
        for (k, v) in labels ?? JSONObject() { terms.append("\(k)=\(v.stringValue ?? "")") }
        if !mapStyle {
            for expr in selector["matchExpressions"]?.arrayValue ?? [] {
                let key = expr["key"]?.stringValue ?? ""
                let values = (expr["values"]?.arrayValue ?? []).compactMap(\.stringValue).sorted().joined(separator: ",")
                switch expr["operator"]?.stringValue ?? "" {
                case "In": terms.append("\(key) in (\(values))")
                case "NotIn": terms.append("\(key) notin (\(values))")
                case "Exists": terms.append(key)
                case "DoesNotExist": terms.append("!\(key)")
                default: break
                }
            }
        }
        return terms.sorted().joined(separator: ",")
    }

    func getScale(_ request: RESTRequest) async throws -> RESTResponse {
        let stored = try await storageCall { try await storage.get(request.resource, namespace: request.namespace, name: request.name ?? "") }
        return RESTResponse(code: 200, payload: .object(Self.scale(of: stored.object, resource: request.resource)))
    }

    /// PUT `/scale`: a Scale body; its resourceVersion (if any) is the parent's precondition.
    func updateScale(_ request: RESTRequest) async throws -> RESTResponse {
        let options = try WriteOptions(request, now: now())
        let decoded = try decodeBody(request, expectedKind: Self.scaleKind, fieldValidation: options.fieldValidation)
        let name = request.name ?? ""
        let bodyName = decoded.object.metaString("name") ?? ""
        if bodyName != name {
            throw APIError.badRequest("the name of the object (\(bodyName)) does not match the name on the URL (\(name))")
        }
        let scale = decoded.object
        return try await writeScale(request, options: options, warnings: decoded.warnings) { _ in scale }
    }

    /// PATCH `/scale`: the patch applies to the current Scale (merge, JSON or strategic).
    func patchScale(_ request: RESTRequest) async throws -> RESTResponse {
        let type = MediaType.essence(request.contentType)
        guard MediaType.patchTypes.contains(type), type != MediaType.applyPatch else {
            throw APIError.unsupportedMediaType(request.contentType ?? "", accepted: MediaType.patchTypes.filter { $0 != MediaType.applyPatch })
        }
        let options = try WriteOptions(request, now: now())
        let (patch, duplicates) = try parsePatchDocument(request.body, type: type)
        let resource = request.resource
        let scaleSchema = ResourceRegistry.schema(for: Self.scaleKind) ?? .any
        let collector = WarningCollector()
        return try await writeScale(request, options: options, warnings: []) { current in
            let patched = try Self.applyPatch(patch, type: type, to: current, schema: scaleSchema)
            let (checked, warnings) = try self.structurallyChecked(patched, resource: resource, duplicates: duplicates, schema: scaleSchema,
                                                                   kind: Self.scaleKind, fieldValidation: options.fieldValidation)
            collector.set(warnings)
            return checked
        } finalWarnings: { collector.warnings }
    }

    /// Reads the parent, computes the wanted Scale from the current one, writes
    /// `spec.replicas` through the normal update rules and answers with the new Scale.
    private func writeScale(_ request: RESTRequest, options: WriteOptions, warnings: [String],
                            desired: @escaping @Sendable (JSONValue) throws -> JSONValue,
                            finalWarnings: @escaping @Sendable () -> [String] = { [] }) async throws -> RESTResponse
    {
        let resource = request.resource
        let name = request.name ?? ""
        let result = try await storageCall {
            try await storage.update(resource, namespace: request.namespace, name: name, dryRun: options.dryRun, allowCreate: false) { current in
                guard let current else { throw APIError.notFound(resource, name: name) }
                let scale = try desired(Self.scale(of: current.object, resource: resource))
                if let rv = scale.metaString("resourceVersion"), !rv.isEmpty, rv != String(current.resourceVersion) {
                    throw APIError.conflict(resource, name: name)
                }
                guard let replicas = scale["spec"]?["replicas"]?.intValue ?? (scale["spec"]?["replicas"] == nil ? 0 : nil) else {
                    throw APIError.invalid(qualifiedKind: "Scale.autoscaling", group: "autoscaling", kind: "Scale", name: name,
                                           errors: [.invalid(FieldPath("spec.replicas"), scale["spec"]?["replicas"], "must be an integer")])
                }
                if replicas < 0 {
                    throw APIError.invalid(qualifiedKind: "Scale.autoscaling", group: "autoscaling", kind: "Scale", name: name,
                                           errors: [.invalid(FieldPath("spec.replicas"), .int(replicas), "must be greater than or equal to 0")])
                }
                var updated = current.object
                updated.modify("spec") { spec in
                    var s = spec ?? .emptyObject
                    s["replicas"] = .int(replicas)
                    spec = s
                }
                return try self.finishUpdate(old: current, desired: updated, resource: resource, scope: .main,
                                             options: options.forSubresource("scale"))
            }
        }
        return RESTResponse(code: 200, payload: .object(Self.scale(of: result.object.object, resource: resource)),
                            warnings: warnings + finalWarnings())
    }
}

extension WriteOptions {
    /// The same options for a write that managedFields attribute to a subresource.
    func forSubresource(_ name: String) -> WriteOptions {
        var copy = self
        copy.subresource = name
        return copy
    }
}
