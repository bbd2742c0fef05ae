import APIModel

/// An object as read from storage: its JSON with `metadata.resourceVersion` stamped to the
/// revision that last modified it, and that revision as a number.
public struct StoredObject: Sendable {
    public var object: JSONValue
    public var resourceVersion: Int64

    public init(object: JSONValue, resourceVersion: Int64) {
        self.object = object
        self.resourceVersion = resourceVersion
    }
}

/// What a list asks for (the query parameters of a Kubernetes list).
public struct ListOptions: Sendable {
    public var labelSelector: LabelSelector
    public var fieldSelector: FieldSelector
    /// Page size; nil or ≤ 0 means everything.
    public var limit: Int?
    /// The opaque token of the previous page's `continue`.
    public var continueToken: String?
    /// Unset: a consistent (latest) read. "0": whatever the cache holds. "N": at least N
    /// (NotOlderThan, the default) or exactly N (`resourceVersionMatch=Exact`).
    public var resourceVersion: String?
    /// "NotOlderThan" or "Exact" (only with a resourceVersion).
    public var resourceVersionMatch: String?

    public init(
        labelSelector: LabelSelector = .everything, fieldSelector: FieldSelector = .everything, limit: Int? = nil,
        continueToken: String? = nil, resourceVersion: String? = nil, resourceVersionMatch: String? = nil
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.limit = limit
        self.continueToken = continueToken
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
    }
}

/// One page of a list.
public struct ListResult: Sendable {
    public var items: [StoredObject]
    /// The revision the list reflects (the list's `metadata.resourceVersion`).
    public var resourceVersion: Int64
    /// Set when more items follow; pass it back as `ListOptions.continueToken`.
    public var continueToken: String?
    /// How many objects follow this page (only known without selectors).
    public var remainingItemCount: Int64?

    public init(items: [StoredObject], resourceVersion: Int64, continueToken: String? = nil, remainingItemCount: Int64? = nil) {
        self.items = items
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
        self.remainingItemCount = remainingItemCount
    }
}

/// What a watch asks for (the query parameters of a Kubernetes watch).
public struct WatchOptions: Sendable {
    public var labelSelector: LabelSelector
    public var fieldSelector: FieldSelector
    /// Unset: current state as ADDED events, then changes. "0": the same from the cache.
    /// "N": only changes after N.
    public var resourceVersion: String?
    /// The client accepts BOOKMARK events (`allowWatchBookmarks=true`).
    public var allowBookmarks: Bool
    /// How often a bookmark is sent when allowed.
    public var bookmarkInterval: Duration

    public init(
        labelSelector: LabelSelector = .everything, fieldSelector: FieldSelector = .everything,
        resourceVersion: String? = nil, allowBookmarks: Bool = false, bookmarkInterval: Duration = .seconds(60)
    ) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.allowBookmarks = allowBookmarks
        self.bookmarkInterval = bookmarkInterval
    }
}

/// One watch event, with its wire form prepared once.
public struct WatchEvent: Sendable {
    public enum EventType: String, Sendable {
        case added = "ADDED", modified = "MODIFIED", deleted = "DELETED", bookmark = "BOOKMARK", error = "ERROR"
    }

    public var type: EventType
    public var object: JSONValue
    public var resourceVersion: Int64
    /// `{"type":…,"object":…}\n`, encoded once in the cache and shared by every watcher
    /// (arrays are copy-on-write: watchers hold the same buffer).
    public var encodedLine: [UInt8]

    public init(type: EventType, object: JSONValue, resourceVersion: Int64, encodedLine: [UInt8]) {
        self.type = type
        self.object = object
        self.resourceVersion = resourceVersion
        self.encodedLine = encodedLine
    }

    /// Builds the event and encodes its line.
    public init(type: EventType, object: JSONValue, resourceVersion: Int64) {
        self.init(
            type: type, object: object, resourceVersion: resourceVersion,
            encodedLine: WatchEvent.line(type: type, encodedObject: object.encoded()))
    }

    /// `{"type":"<type>","object":<object>}\n` around already-encoded object bytes.
    public static func line(type: EventType, encodedObject: [UInt8]) -> [UInt8] {
        var line: [UInt8] = []
        line.reserveCapacity(encodedObject.count + 32)
        line.append(contentsOf: #"{"type":""#.utf8)
        line.append(contentsOf: type.rawValue.utf8)
        line.append(contentsOf: #"","object":"#.utf8)
        line.append(contentsOf: encodedObject)
        line.append(contentsOf: "}\n".utf8)
        return line
    }
}

/// Conditions a delete must meet (DeleteOptions.preconditions).
public struct DeletePreconditions: Sendable, Equatable {
    public var uid: String?
    public var resourceVersion: String?

    public init(uid: String? = nil, resourceVersion: String? = nil) {
        self.uid = uid
        self.resourceVersion = resourceVersion
    }

    public static let none = DeletePreconditions()
}
