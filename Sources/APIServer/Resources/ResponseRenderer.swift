import APIModel
import Foundation
import Hummingbird

/// Turns REST results into response bodies in the shape the client asked for: the object or
/// `<Kind>List` as stored, a `meta.k8s.io/v1` Table (`kubectl get`), or metadata only.
struct ResponseRenderer: Sendable {
    let resource: ResourceInfo
    let shape: ResponseShape
    let includeObject: TableIncludeObject
    let now: @Sendable () -> Date

    init(resource: ResourceInfo, shape: ResponseShape, query: URLQuery, now: @escaping @Sendable () -> Date) {
        self.resource = resource
        self.shape = shape
        self.includeObject = query["includeObject"].flatMap(TableIncludeObject.init(rawValue:)) ?? .metadata
        self.now = now
    }

    func reshapeObject(_ object: JSONValue) -> JSONValue {
        switch shape {
        case .plain: return object
        case .partialMetadata: return Self.partialMetadata(object)
        case .table:
            return TableConvertor.table(resource: resource, objects: [object], includeObject: includeObject,
                                        resourceVersion: object["metadata"]?["resourceVersion"]?.stringValue,
                                        continueToken: nil, now: now())
        }
    }

    func reshapeList(_ items: [JSONValue], resourceVersion: String, continueToken: String?, remaining: Int64?) -> JSONValue {
        switch shape {
        case .plain:
            return Self.list(kind: resource.listKind, apiVersion: resource.groupVersion.apiVersion, items: items,
                             resourceVersion: resourceVersion, continueToken: continueToken, remaining: remaining)
        case .partialMetadata:
            return Self.list(kind: "PartialObjectMetadataList", apiVersion: "meta.k8s.io/v1", items: items.map(Self.partialMetadata),
                             resourceVersion: resourceVersion, continueToken: continueToken, remaining: remaining)
        case .table:
            return TableConvertor.table(resource: resource, objects: items, includeObject: includeObject,
                                        resourceVersion: resourceVersion, continueToken: continueToken, now: now())
        }
    }

    /// `{"kind":"<Kind>List","apiVersion":…,"metadata":{"resourceVersion":…},"items":[…]}`.
    static func list(kind: String, apiVersion: String, items: [JSONValue], resourceVersion: String,
                     continueToken: String?, remaining: Int64?) -> JSONValue {
        var metadata: JSONValue = ["resourceVersion": .string(resourceVersion)]
        if let continueToken, !continueToken.isEmpty { metadata["continue"] = .string(continueToken) }
        if let remaining { metadata["remainingItemCount"] = .int(remaining) }
        return ["kind": .string(kind), "apiVersion": .string(apiVersion), "metadata": metadata, "items": .array(items)]
    }

    static func partialMetadata(_ object: JSONValue) -> JSONValue {
        ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object["metadata"] ?? .emptyObject]
    }

    /// One watch line. Plain events reuse the line the watch cache encoded once for every
    /// watcher; other shapes re-encode the object. ERROR and BOOKMARK objects pass unchanged.
    func watchLine(_ event: WatchEvent) -> [UInt8] {
        guard shape != .plain, event.type != .error, event.type != .bookmark else { return event.encodedLine }
        let line: JSONValue = ["type": .string(event.type.rawValue), "object": reshapeObject(event.object)]
        return line.encoded() + [UInt8(ascii: "\n")]
    }
}
