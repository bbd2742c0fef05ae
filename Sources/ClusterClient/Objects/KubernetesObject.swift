import APIModel

/// A typed view over one API object. The view keeps the whole object as the apiserver sent
/// it (`object`), so writing it back loses no field the view does not name; accessors read
/// and write through to that JSON. Each kind adds the accessors its consumers need
/// (`Pod.nodeName`, `Node.isReady`, …) in `Objects/<Kind>.swift`.
public protocol KubernetesObject: Sendable {
    static var resource: ResourceRef { get }
    var object: JSONValue { get set }
    init(_ object: JSONValue)
}

/// Any object, untyped: for generic code (garbage collector, namespace deletion).
public struct Unstructured: Sendable {
    public var object: JSONValue
    public init(_ object: JSONValue) { self.object = object }
}

/// A controller's or owner's reference to another object.
public struct OwnerReference: Sendable, Hashable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool
    public var blockOwnerDeletion: Bool

    public init(apiVersion: String, kind: String, name: String, uid: String, controller: Bool = false,
                blockOwnerDeletion: Bool = false) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }
}

/// Metadata accessors every object has, for views and for bare `JSONValue`s alike.
public extension JSONValue {
    var name: String { self["metadata"]?["name"]?.stringValue ?? "" }
    var namespace: String? { self["metadata"]?["namespace"]?.stringValue }
    var uid: String { self["metadata"]?["uid"]?.stringValue ?? "" }
    var resourceVersion: String { self["metadata"]?["resourceVersion"]?.stringValue ?? "" }
    var generation: Int64 { self["metadata"]?["generation"]?.intValue ?? 0 }
    var labels: [String: String] { Self.stringMap(self["metadata"]?["labels"]) }
    var annotations: [String: String] { Self.stringMap(self["metadata"]?["annotations"]) }
    var finalizers: [String] { self["metadata"]?["finalizers"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
    var deletionTimestamp: String? { self["metadata"]?["deletionTimestamp"]?.stringValue }
    var creationTimestamp: String? { self["metadata"]?["creationTimestamp"]?.stringValue }
    var isBeingDeleted: Bool { deletionTimestamp != nil }
    /// `namespace/name`, or `name` for cluster-scoped objects: the informer and work queue key.
    var key: String { namespace.map { "\($0)/\(name)" } ?? name }
    var ownerReferences: [OwnerReference] {
        (self["metadata"]?["ownerReferences"]?.arrayValue ?? []).map { reference in
            OwnerReference(
                apiVersion: reference["apiVersion"]?.stringValue ?? "", kind: reference["kind"]?.stringValue ?? "",
                name: reference["name"]?.stringValue ?? "", uid: reference["uid"]?.stringValue ?? "",
                controller: reference["controller"]?.boolValue ?? false,
                blockOwnerDeletion: reference["blockOwnerDeletion"]?.boolValue ?? false)
        }
    }
    /// The owner reference with `controller: true`, if any.
    var controllerReference: OwnerReference? { ownerReferences.first { $0.controller } }

    internal static func stringMap(_ value: JSONValue?) -> [String: String] {
        guard let object = value?.objectValue else { return [:] }
        var map: [String: String] = [:]
        for (key, value) in object { if let string = value.stringValue { map[key] = string } }
        return map
    }
}

public extension KubernetesObject {
    var name: String { object.name }
    var namespace: String? { object.namespace }
    var uid: String { object.uid }
    var resourceVersion: String { object.resourceVersion }
    var labels: [String: String] { object.labels }
    var annotations: [String: String] { object.annotations }
    var key: String { object.key }
    var isBeingDeleted: Bool { object.isBeingDeleted }
    var ownerReferences: [OwnerReference] { object.ownerReferences }
    var controllerReference: OwnerReference? { object.controllerReference }
}

extension JSONValue {
    /// Sets (or with nil removes) the member at `keys`, creating intermediate objects.
    public mutating func setValue(_ value: JSONValue?, at keys: [String]) {
        guard let first = keys.first else {
            if let value { self = value }
            return
        }
        if keys.count == 1 {
            self[first] = value
            return
        }
        var child = self[first] ?? .emptyObject
        if value == nil, self[first] == nil { return }
        child.setValue(value, at: Array(keys.dropFirst()))
        self[first] = child
    }
}
