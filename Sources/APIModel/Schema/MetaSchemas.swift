/// meta/v1 types shared by every kind.
public enum MetaSchemas {
    static let ownerReference: Schema = .obj(meta("OwnerReference"), "Identifies an owning object; the owned object is garbage-collected with it.", [
        f("apiVersion", .str, "API version of the referent.", required: true),
        f("kind", .str, "Kind of the referent.", required: true),
        f("name", .str, "Name of the referent.", required: true),
        f("uid", .str, "UID of the referent.", required: true),
        f("controller", .bool, "If true, this reference points to the managing controller."),
        f("blockOwnerDeletion", .bool, "If true, the owner cannot be deleted until this reference is removed (foreground deletion)."),
    ])

    static let managedFieldsEntry: Schema = .obj(meta("ManagedFieldsEntry"), "The set of fields a field manager owns, for server-side apply.", [
        f("manager", .str, "Identifier of the workflow managing these fields."),
        f("operation", .str, "Apply or Update."),
        f("apiVersion", .str, "API version of the fields' schema."),
        f("time", .dateTime, "When the last change to these fields happened."),
        f("fieldsType", .str, "Format of fieldsV1; only FieldsV1."),
        f("fieldsV1", .any, "The owned field set."),
        f("subresource", .str, "The subresource used to update the object, if any."),
    ])

    /// Metadata every persisted object has.
    public static let objectMeta: Schema = .obj(meta("ObjectMeta"), "Standard object metadata.", [
        f("name", .str, "Name, unique within a namespace; cannot be updated."),
        f("generateName", .str, "Prefix for a server-generated unique name, used when name is empty."),
        f("namespace", .str, "Namespace of the object; empty for cluster-scoped kinds."),
        f("selfLink", .str, "Deprecated; not set."),
        f("uid", .str, "Unique identifier in time and space, set by the server."),
        f("resourceVersion", .str, "Opaque version for optimistic concurrency and watch."),
        f("generation", .int64, "Sequence number of a specific generation of the desired state."),
        f("creationTimestamp", .dateTime, "When the object was created (server time, RFC 3339)."),
        f("deletionTimestamp", .dateTime, "When the object will be deleted; set by a graceful delete."),
        f("deletionGracePeriodSeconds", .int64, "Seconds allowed for graceful termination."),
        f("labels", .stringMap, "Map of string keys and values for organizing and selecting objects."),
        f("annotations", .stringMap, "Unstructured key-value map for tools."),
        mergeList("ownerReferences", ownerReference, key: "uid", "Objects this one depends on."),
        stringSet("finalizers", "Entries that must be removed before the object is deleted."),
        f("managedFields", .list(managedFieldsEntry), "Which field managers own which fields."),
    ])

    public static let listMeta: Schema = .obj(meta("ListMeta"), "Metadata of a list.", [
        f("selfLink", .str, "Deprecated; not set."),
        f("resourceVersion", .str, "Version of the list, for watching from it."),
        f("continue", .str, "Token to fetch the next page."),
        f("remainingItemCount", .int64, "Items after this page, when known."),
    ])

    static let labelSelectorRequirement: Schema = .obj(meta("LabelSelectorRequirement"), "A selector requirement: a key, an operator and values.", [
        f("key", .str, "The label key.", required: true),
        f("operator", .str, "In, NotIn, Exists or DoesNotExist.", required: true),
        f("values", .strings, "Values; non-empty for In and NotIn, empty otherwise."),
    ])

    public static let labelSelector: Schema = .obj(meta("LabelSelector"), "A label query over a set of objects; requirements are ANDed.", [
        f("matchLabels", .stringMap, "Equality requirements."),
        f("matchExpressions", .list(labelSelectorRequirement), "Set-based requirements."),
    ])

    static let statusCause: Schema = .obj(meta("StatusCause"), "One cause of an error.", [
        f("reason", .str, "Machine-readable cause."),
        f("message", .str, "Human-readable description."),
        f("field", .str, "The field that caused the error."),
    ])

    static let statusDetails: Schema = .obj(meta("StatusDetails"), "Extra data about a Status.", [
        f("name", .str), f("group", .str), f("kind", .str), f("uid", .str),
        f("causes", .list(statusCause)),
        f("retryAfterSeconds", .int32),
    ])

    public static let status: Schema = .obj(meta("Status"), "The result of an operation that does not return an object.", [
        f("apiVersion", .str), f("kind", .str),
        f("metadata", listMeta),
        f("status", .str, "Success or Failure."),
        f("message", .str, "Human-readable description."),
        f("reason", .str, "Machine-readable reason (NotFound, Invalid, …)."),
        f("details", statusDetails),
        f("code", .int32, "HTTP status code."),
    ])

    static let preconditions: Schema = .obj(meta("Preconditions"), "Conditions that must hold before an operation.", [
        f("uid", .str), f("resourceVersion", .str),
    ])

    public static let deleteOptions: Schema = .obj(meta("DeleteOptions"), "Options for a delete.", [
        f("apiVersion", .str), f("kind", .str),
        f("gracePeriodSeconds", .int64, "Seconds before the object is deleted; 0 deletes immediately."),
        f("preconditions", preconditions),
        f("orphanDependents", .bool, "Deprecated; use propagationPolicy."),
        f("propagationPolicy", .str, "Orphan, Background or Foreground."),
        f("dryRun", .strings, "All to process without persisting."),
        f("ignoreStoreReadErrorWithClusterBreakingPotential", .bool),
    ])

    static let tableColumnDefinition: Schema = .obj(meta("TableColumnDefinition"), "A column of a Table.", [
        f("name", .str, required: true), f("type", .str, required: true), f("format", .str, required: true),
        f("description", .str, required: true), f("priority", .int32, required: true),
    ])

    static let tableRow: Schema = .obj(meta("TableRow"), "A row of a Table.", [
        f("cells", .list(.any), required: true),
        f("conditions", .list(.any)),
        f("object", .any),
    ])

    public static let table: Schema = .obj(meta("Table"), "A tabular view of objects, as kubectl get prints it.", [
        f("apiVersion", .str), f("kind", .str),
        f("metadata", listMeta),
        f("columnDefinitions", .list(tableColumnDefinition), required: true),
        f("rows", .list(tableRow), required: true),
    ])

    static let partialObjectMetadata: Schema = .obj(meta("PartialObjectMetadata"), "Only the metadata of an object.", [
        f("apiVersion", .str), f("kind", .str), f("metadata", objectMeta),
    ])
}

/// The envelope fields every top-level kind has.
func kindFields(_ description: String = "Standard object metadata.") -> [Field] {
    [
        f("apiVersion", .str, "Versioned schema of this representation of an object."),
        f("kind", .str, "REST resource this object represents."),
        f("metadata", MetaSchemas.objectMeta, description),
    ]
}
