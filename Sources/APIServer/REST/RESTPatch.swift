import APIModel
import Synchronization

/// Collects `Warning` texts from inside a storage transform (which may run more than once:
/// each run replaces the previous run's warnings).
final class WarningCollector: Sendable {
    private let state = Mutex<[String]>([])
    func set(_ warnings: [String]) { state.withLock { $0 = warnings } }
    var warnings: [String] { state.withLock { $0 } }
}

extension RESTHandler {
    /// PATCH with JSON patch, JSON merge patch or strategic merge patch (404 when the object is
    /// absent), or server-side apply (which creates).
    func patch(_ request: RESTRequest, scope: WriteScope = .main) async throws -> RESTResponse {
        let type = MediaType.essence(request.contentType)
        guard MediaType.patchTypes.contains(type) else {
            throw APIError.unsupportedMediaType(request.contentType ?? "", accepted: MediaType.patchTypes)
        }
        if type == MediaType.applyPatch { return try await apply(request, scope: scope) }
        if let force = request.queryValue("force"), !force.isEmpty {
            throw APIError.badRequest("force=\(force) is only allowed for apply patches (application/apply-patch+yaml)")
        }
        let options = try WriteOptions(request, now: now())
        let resource = request.resource
        let name = request.name ?? ""
        let (patch, duplicates) = try parsePatchDocument(request.body, type: type)
        let collector = WarningCollector()
        let result = try await storageCall {
            try await storage.update(resource, namespace: request.namespace, name: name, dryRun: options.dryRun, allowCreate: false) { current in
                guard let current else { throw APIError.notFound(resource, name: name) }
                let patched = try Self.applyPatch(patch, type: type, to: current.object, schema: resource.schema)
                let (checked, warnings) = try self.structurallyChecked(patched, resource: resource, duplicates: duplicates,
                                                                       fieldValidation: options.fieldValidation)
                collector.set(warnings)
                return try self.finishUpdate(old: current, desired: checked, resource: resource, scope: scope, options: options)
            }
        }
        let final = try await deleteIfFinalized(result.object, resource: resource, namespace: request.namespace, dryRun: options.dryRun)
        return RESTResponse(code: 200, payload: .object(final), warnings: collector.warnings)
    }

    /// The patch document: JSON for the three JSON patch types (a JSON patch must be an array,
    /// the merge patches objects). Returns duplicate keys for strict field validation.
    func parsePatchDocument(_ body: [UInt8], type: String) throws -> (JSONValue, [String]) {
        let parsed: JSONParseResult
        do {
            parsed = try JSONValue.parse(body)
        } catch {
            throw APIError.badRequest("error decoding patch: \(error)")
        }
        switch (type, parsed.value) {
        case (MediaType.jsonPatch, .array), (MediaType.mergePatch, .object), (MediaType.strategicMergePatch, .object):
            return (parsed.value, type == MediaType.jsonPatch ? [] : parsed.duplicates)
        case (MediaType.jsonPatch, _):
            throw APIError.badRequest("json: cannot unmarshal \(parsed.value.typeName) into Go value of type jsonpatch.Patch")
        default:
            throw APIError.badRequest("error decoding patch: the patch must be a JSON object, got \(parsed.value.typeName)")
        }
    }

    /// Applies a parsed patch document of one of the three JSON patch types.
    static func applyPatch(_ patch: JSONValue, type: String, to object: JSONValue, schema: Schema) throws -> JSONValue {
        do {
            switch type {
            case MediaType.jsonPatch: return try JSONPatch.apply(patch, to: object)
            case MediaType.mergePatch: return JSONMergePatch.apply(patch, to: object)
            default: return try StrategicMergePatch.apply(patch, to: object, schema: schema)
            }
        } catch let error as PatchError {
            // Kubernetes answers a patch that cannot be applied with 422 for JSON patch test
            // failures and 400 otherwise; both name the problem.
            if error.message.contains("test") {
                throw APIError.status(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request: \(error.message)")
            }
            throw APIError.badRequest(error.message)
        }
    }

    /// Structural validation of a patched object with the request's fieldValidation: wrong
    /// types → 422, unknown/duplicate fields → 400 (Strict), warnings (Warn), pruned otherwise.
    func structurallyChecked(_ object: JSONValue, resource: ResourceInfo, duplicates: [String], schema: Schema? = nil,
                             kind: GroupVersionKind? = nil, fieldValidation: FieldValidationMode) throws -> (JSONValue, [String])
    {
        guard case .object = object else { throw APIError.badRequest("the patched document is \(object.typeName), not an object") }
        let schema = schema ?? resource.schema
        let report = StructuralValidator.validate(object, schema: schema, duplicates: duplicates)
        if !report.typeErrors.isEmpty {
            throw apiError(.invalid(report.typeErrors), resource: resource, kind: kind, name: object.metaString("name") ?? "")
        }
        var warnings: [String] = []
        switch fieldValidation {
        case .strict:
            if let message = report.strictDecodingError { throw APIError.badRequest(message) }
        case .warn:
            warnings = report.strictMessages
        case .ignore:
            break
        }
        let pruned = report.unknownFields.isEmpty ? object : StructuralValidator.prune(object, schema: schema)
        return (pruned, warnings)
    }
}
