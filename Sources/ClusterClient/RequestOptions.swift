import APIModel

/// Query parameters of list and watch.
public struct ListOptions: Sendable, Hashable {
    public var labelSelector: String?
    public var fieldSelector: String?
    public var resourceVersion: String?
    /// `NotOlderThan` / `Exact`, when resourceVersion is set.
    public var resourceVersionMatch: String?
    public var limit: Int?
    public var continueToken: String?
    public var timeoutSeconds: Int?
    public var allowWatchBookmarks: Bool

    public init(labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil,
                resourceVersionMatch: String? = nil, limit: Int? = nil, continueToken: String? = nil,
                timeoutSeconds: Int? = nil, allowWatchBookmarks: Bool = false) {
        self.labelSelector = labelSelector
        self.fieldSelector = fieldSelector
        self.resourceVersion = resourceVersion
        self.resourceVersionMatch = resourceVersionMatch
        self.limit = limit
        self.continueToken = continueToken
        self.timeoutSeconds = timeoutSeconds
        self.allowWatchBookmarks = allowWatchBookmarks
    }
}

/// `DeleteOptions` as the body of a DELETE.
public struct DeleteOptions: Sendable, Hashable {
    public enum Propagation: String, Sendable, Hashable { case orphan = "Orphan", background = "Background", foreground = "Foreground" }
    public var propagationPolicy: Propagation?
    public var gracePeriodSeconds: Int?
    /// Precondition on the object's uid (delete only that incarnation).
    public var preconditionUID: String?
    /// Precondition on the object's resourceVersion.
    public var preconditionResourceVersion: String?

    public init(propagationPolicy: Propagation? = nil, gracePeriodSeconds: Int? = nil,
                preconditionUID: String? = nil, preconditionResourceVersion: String? = nil) {
        self.propagationPolicy = propagationPolicy
        self.gracePeriodSeconds = gracePeriodSeconds
        self.preconditionUID = preconditionUID
        self.preconditionResourceVersion = preconditionResourceVersion
    }
}

/// The content types of PATCH.
public enum PatchType: String, Sendable, Hashable {
    case json = "application/json-patch+json"
    case merge = "application/merge-patch+json"
    case strategicMerge = "application/strategic-merge-patch+json"
    case apply = "application/apply-patch+yaml"
}

/// A list answer: the items, the list's resourceVersion and the continue token.
public struct ObjectList: Sendable {
    public var items: [JSONValue]
    public var resourceVersion: String
    public var continueToken: String?

    public init(items: [JSONValue], resourceVersion: String, continueToken: String?) {
        self.items = items
        self.resourceVersion = resourceVersion
        self.continueToken = continueToken
    }
}

/// One event of a watch stream.
public struct WatchEvent: Sendable {
    public enum EventType: String, Sendable, Hashable {
        case added = "ADDED", modified = "MODIFIED", deleted = "DELETED", bookmark = "BOOKMARK", error = "ERROR"
    }
    public var type: EventType
    /// The object (for `ERROR`, a `Status`).
    public var object: JSONValue

    public init(type: EventType, object: JSONValue) {
        self.type = type
        self.object = object
    }
}

extension DeleteOptions {
    /// The `meta/v1 DeleteOptions` body of a DELETE.
    var json: JSONValue {
        var body: JSONValue = ["kind": "DeleteOptions", "apiVersion": "v1"]
        if let propagationPolicy { body["propagationPolicy"] = .string(propagationPolicy.rawValue) }
        if let gracePeriodSeconds { body["gracePeriodSeconds"] = .int(Int64(gracePeriodSeconds)) }
        if preconditionUID != nil || preconditionResourceVersion != nil {
            var preconditions = JSONValue.emptyObject
            if let preconditionUID { preconditions["uid"] = .string(preconditionUID) }
            if let preconditionResourceVersion { preconditions["resourceVersion"] = .string(preconditionResourceVersion) }
            body["preconditions"] = preconditions
        }
        return body
    }
}
