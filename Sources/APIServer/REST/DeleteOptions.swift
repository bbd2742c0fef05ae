import APIModel

/// `DeleteOptions`, from the body (JSON, YAML or protobuf; kubectl often omits kind and
/// apiVersion) merged with the query parameters of the same names.
struct DeleteRequestOptions: Sendable {
    enum Propagation: String, Sendable { case orphan = "Orphan", background = "Background", foreground = "Foreground" }

    var gracePeriodSeconds: Int64?
    var propagationPolicy: Propagation?
    var orphanDependents: Bool?
    var preconditionUID: String?
    var preconditionResourceVersion: String?
    var dryRun: Bool

    /// Parses the request's DeleteOptions. Invalid values → 422 on kind DeleteOptions, as
    /// Kubernetes answers; a body that is not an object → 400.
    init(_ request: RESTRequest, decodeProtobuf: ([UInt8]) throws -> JSONValue) throws {
        var body: JSONValue = .emptyObject
        if !request.body.allSatisfy({ $0 == 0x20 || $0 == 0x0a || $0 == 0x0d || $0 == 0x09 }) {
            let type = MediaType.essence(request.contentType)
            if type == MediaType.protobuf {
                body = try decodeProtobuf(request.body)
            } else if MediaType.isYAML(type) {
                do { body = try JSONValue.parseYAML(String(decoding: request.body, as: UTF8.self)) } catch {
                    throw APIError.badRequest("unable to decode DeleteOptions: \(error)")
                }
            } else if type == MediaType.json {
                do { body = try JSONValue.parse(request.body).value } catch {
                    throw APIError.badRequest("unable to decode DeleteOptions: \(error)")
                }
            } else {
                throw APIError.unsupportedMediaType(request.contentType ?? "", accepted: MediaType.objectTypes)
            }
        }
        try self.init(body: body, query: request.query)
    }

    init(body: JSONValue, query: [String: [String]] = [:]) throws {
        guard case .object = body else { throw APIError.badRequest("DeleteOptions must be a JSON object, got \(body.typeName)") }
        if let kind = body["kind"]?.stringValue, !kind.isEmpty, kind != "DeleteOptions" {
            throw APIError.badRequest("the kind in the body (\(kind)) does not match the expected kind (DeleteOptions)")
        }
        var errors: [FieldError] = []
        gracePeriodSeconds = body["gracePeriodSeconds"]?.intValue
        if let q = query["gracePeriodSeconds"]?.first, !q.isEmpty {
            guard let v = Int64(q) else { throw APIError.badRequest("invalid gracePeriodSeconds \"\(q)\": not an integer") }
            gracePeriodSeconds = v
        }
        var policy = body["propagationPolicy"]?.stringValue
        if let q = query["propagationPolicy"]?.first, !q.isEmpty { policy = q }
        if let policy {
            guard let p = Propagation(rawValue: policy) else {
                errors.append(.notSupported(FieldPath("propagationPolicy"), .string(policy), ["Foreground", "Background", "Orphan"]))
                throw Self.invalid(errors)
            }
            propagationPolicy = p
        }
        orphanDependents = body["orphanDependents"]?.boolValue
        if let q = query["orphanDependents"]?.first, !q.isEmpty { orphanDependents = q == "true" }
        if orphanDependents != nil && propagationPolicy != nil {
            errors.append(.invalid(FieldPath("propagationPolicy"), body["propagationPolicy"],
                                   "orphanDependents and deletionPropagation cannot be both set"))
        }
        preconditionUID = body["preconditions"]?["uid"]?.stringValue
        preconditionResourceVersion = body["preconditions"]?["resourceVersion"]?.stringValue
        var dryRunValues = (body["dryRun"]?.arrayValue ?? []).compactMap(\.stringValue)
        dryRunValues += query["dryRun"] ?? []
        dryRun = try WriteOptions.parseDryRun(dryRunValues)
        if !errors.isEmpty { throw Self.invalid(errors) }
    }

    static func invalid(_ errors: [FieldError]) -> APIError {
        APIError.invalid(qualifiedKind: "DeleteOptions.meta.k8s.io", group: "meta.k8s.io", kind: "DeleteOptions", name: "", errors: errors)
    }

    /// The effective propagation: `orphanDependents` is the old spelling.
    var propagation: Propagation {
        if let propagationPolicy { return propagationPolicy }
        if let orphanDependents { return orphanDependents ? .orphan : .background }
        return .background
    }
}
