// APIModel: the Kubernetes object model the apiserver stands on. Pure values, no I/O.
//
// Objects travel as `JSONValue` trees, never as typed structs, so that data this module does
// not model still round-trips and the bytes stored are the bytes returned. The per-kind
// `Schema` (Sources/APIModel/Schema) is the single source of truth: structural validation,
// strategic-merge-patch keys and the OpenAPI v3 documents are all derived from it.
//
// The write path the apiserver runs, in order:
//
//   1. `FieldValidationMode(queryValue:)`           the `fieldValidation` query parameter
//   2. `BodyDecoder.decode(_:contentType:resource:fieldValidation:)`
//                                                   bytes → JSONValue; 400 on bad JSON/kind or
//                                                   (Strict) unknown/duplicate fields; 422 on
//                                                   wrong types; warnings for Warn
//      — or, for PATCH, `JSONPatch.apply`, `JSONMergePatch.apply` or
//        `StrategicMergePatch.apply(_:to:schema:)` on the stored object, then
//        `StructuralValidator.validate` on the result
//   3. `Defaulting.apply(&object, resource:)`       Kubernetes' API defaults
//   4. `Validation.validate(_:resource:)` on create, `Validation.validateUpdate(old:new:resource:)`
//      on update; a non-empty result becomes `errors.invalidStatus(...)` (422, reason Invalid)
//   5. store `object.encoded()` under `resource.storageKey(namespace:name:)`
//
// Read-only documents: `Discovery` (legacy and aggregated) and `OpenAPIDocuments.shared`
// (`/openapi/v3` and one document per group-version), both built from `ResourceRegistry.all`.
