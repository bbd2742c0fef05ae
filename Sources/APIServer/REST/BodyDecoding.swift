import APIModel
import Foundation

/// The media types request bodies arrive in.
enum MediaType {
    static let json = "application/json"
    static let yaml = "application/yaml"
    static let protobuf = KubernetesProtobuf.mediaType
    static let jsonPatch = "application/json-patch+json"
    static let mergePatch = "application/merge-patch+json"
    static let strategicMergePatch = "application/strategic-merge-patch+json"
    static let applyPatch = "application/apply-patch+yaml"

    /// What create and update take (and what the 415 message lists).
    static let objectTypes = [json, yaml, protobuf]
    static let patchTypes = [jsonPatch, mergePatch, applyPatch, strategicMergePatch]

    /// The type without parameters, lowercased: `application/json; charset=utf-8` → `application/json`.
    /// An absent Content-Type is taken as JSON, as Kubernetes does.
    static func essence(_ contentType: String?) -> String {
        guard let contentType else { return json }
        let bare = contentType.split(separator: ";", maxSplits: 1).first.map(String.init) ?? ""
        let trimmed = bare.trimmingCharacters(in: .whitespaces).lowercased()
        return trimmed.isEmpty ? json : trimmed
    }

    static func isYAML(_ essence: String) -> Bool {
        essence == yaml || essence == "text/yaml" || essence == "application/x-yaml"
    }
}

extension RESTHandler {
    /// Decodes a create/update body of `resource`'s kind (or `expectedKind` for Scale, Binding,
    /// Eviction) in any of the object media types, with structural checks per `fieldValidation`.
    /// Failures become 400 (syntax, kind, strict unknown/duplicate fields), 422 (wrong types) or
    /// 415 (a media type this verb does not take).
    func decodeBody(_ request: RESTRequest, expectedKind: GroupVersionKind? = nil,
                    fieldValidation: FieldValidationMode) throws -> DecodedBody
    {
        let type = MediaType.essence(request.contentType)
        var bytes = request.body
        var decoderType = MediaType.json
        if type == MediaType.json {
            decoderType = MediaType.json
        } else if MediaType.isYAML(type) {
            decoderType = MediaType.yaml
        } else if type == MediaType.protobuf {
            bytes = try decodeProtobuf(request.body).encoded()
        } else {
            throw APIError.unsupportedMediaType(request.contentType ?? "", accepted: MediaType.objectTypes)
        }
        return try decodeChecked(bytes, contentType: decoderType, resource: request.resource,
                                 expectedKind: expectedKind, fieldValidation: fieldValidation)
    }

    /// `BodyDecoder.decode` with its errors turned into API errors.
    func decodeChecked(_ bytes: [UInt8], contentType: String, resource: ResourceInfo, expectedKind: GroupVersionKind?,
                       fieldValidation: FieldValidationMode) throws -> DecodedBody
    {
        do {
            return try BodyDecoder.decode(bytes, contentType: contentType, resource: resource, expectedKind: expectedKind,
                                          fieldValidation: fieldValidation)
        } catch let error as BodyDecodingError {
            throw apiError(error, resource: resource, kind: expectedKind, name: nameHint(bytes))
        }
    }

    func apiError(_ error: BodyDecodingError, resource: ResourceInfo, kind: GroupVersionKind?, name: String) -> APIError {
        switch error {
        case .badRequest(let message):
            return APIError.badRequest(message)
        case .invalid(let errors):
            let gvk = kind ?? resource.gvk
            return APIError.invalid(qualifiedKind: gvk.group.isEmpty ? gvk.kind : "\(gvk.kind).\(gvk.group)",
                                    group: gvk.group, kind: gvk.kind, name: name, errors: errors)
        }
    }

    /// A protobuf body as the JSON it stands for.
    func decodeProtobuf(_ bytes: [UInt8]) throws -> JSONValue {
        do {
            return try KubernetesProtobuf.decode(bytes)
        } catch {
            throw APIError.badRequest("unable to decode protobuf body: \(error)")
        }
    }

    /// The name in a body that failed to decode, for the error's details (best effort).
    private func nameHint(_ bytes: [UInt8]) -> String {
        guard let parsed = try? JSONValue.parse(bytes) else { return "" }
        return parsed.value["metadata"]?["name"]?.stringValue ?? ""
    }
}
