/// A compact vocabulary for writing schemas, so that a kind's definition reads like its API
/// reference: one line per field.
extension Schema {
    static let str: Schema = .string(.plain)
    static let dateTime: Schema = .string(.dateTime)
    static let bytes: Schema = .string(.byte)
    static let int32: Schema = .integer(.int32)
    static let int64: Schema = .integer(.int64)
    static let bool: Schema = .boolean
    /// An atomic list of strings (`command`, `args`).
    static let strings: Schema = .array(ArraySchema(items: .str, listType: .atomic))
    /// A string → string map (labels, annotations, nodeSelector, ConfigMap data).
    static let stringMap: Schema = .map(.str)
    /// A resource name → quantity map (requests, limits, capacity).
    static let quantityMap: Schema = .map(.quantity)

    /// An atomic list.
    static func list(_ items: Schema) -> Schema { .array(ArraySchema(items: items, listType: .atomic)) }

    /// A named object type.
    static func obj(_ name: String, _ description: String, _ fields: [Field], preserveUnknown: Bool = false) -> Schema {
        .object(ObjectSchema(name: name, description: description, fields: fields, preservesUnknownFields: preserveUnknown))
    }
}

/// A plain field.
func f(_ name: String, _ schema: Schema, _ description: String = "", required: Bool = false,
       strategy: PatchStrategy = []) -> Field
{
    Field(name: name, schema: schema, description: description, required: required, patchStrategy: strategy)
}

/// A list merged by strategic merge patch on `key` (and a `map` list for apply on `mapKeys`).
func mergeList(_ name: String, _ items: Schema, key: String, _ description: String = "",
               mapKeys: [String]? = nil, strategy: PatchStrategy = .merge) -> Field
{
    Field(name: name, schema: .array(ArraySchema(items: items, listType: .map, mapKeys: mapKeys ?? [key])),
          description: description, patchStrategy: strategy, patchMergeKey: key)
}

/// A list of unique strings merged as a set (`finalizers`).
func stringSet(_ name: String, _ description: String = "") -> Field {
    Field(name: name, schema: .array(ArraySchema(items: .str, listType: .set)), description: description,
          patchStrategy: .merge)
}

/// Component names as Kubernetes' OpenAPI spells them.
func core(_ kind: String) -> String { "io.k8s.api.core.v1." + kind }
func apps(_ kind: String) -> String { "io.k8s.api.apps.v1." + kind }
func batch(_ kind: String) -> String { "io.k8s.api.batch.v1." + kind }
func meta(_ kind: String) -> String { "io.k8s.apimachinery.pkg.apis.meta.v1." + kind }
