import APIModel
import PKI

/// The verbs the REST layer serves. `watch`, `log`, `exec`, `attach` and `portforward` are
/// streams and live in the router, not here.
public enum RESTVerb: String, Sendable {
    case get, list, create, update, patch, delete, deleteCollection
}

/// One API request as the router hands it over: the URL and headers already parsed, the body
/// still raw (decoding it is this layer's job, because how depends on the verb and the kind).
public struct RESTRequest: Sendable {
    public var verb: RESTVerb
    public var resource: ResourceInfo
    /// "status", "scale", "binding", "eviction" or "finalize"; nil for the resource itself.
    public var subresource: String?
    public var namespace: String?
    public var name: String?
    /// The decoded query string; a parameter may repeat, the first value wins where one is meant.
    public var query: [String: [String]]
    public var contentType: String?
    public var body: [UInt8]
    public var user: AuthenticatedUser
    public var userAgent: String?

    public init(verb: RESTVerb, resource: ResourceInfo, subresource: String? = nil, namespace: String? = nil,
                name: String? = nil, query: [String: [String]] = [:], contentType: String? = nil, body: [UInt8] = [],
                user: AuthenticatedUser = AuthenticatedUser(name: "system:anonymous"), userAgent: String? = nil)
    {
        self.verb = verb
        self.resource = resource
        self.subresource = subresource
        self.namespace = namespace
        self.name = name
        self.query = query
        self.contentType = contentType
        self.body = body
        self.user = user
        self.userAgent = userAgent
    }

    /// The first value of a query parameter, nil when absent.
    public func queryValue(_ key: String) -> String? { query[key]?.first }
}

/// What a verb answers: an object (or a Status) or a list the router renders as a `…List` or a
/// Table, plus `Warning` header texts.
public struct RESTResponse: Sendable {
    public enum Payload: Sendable {
        case object(JSONValue)
        case list(items: [JSONValue], resourceVersion: String, continueToken: String?, remainingItemCount: Int64?)
    }

    public var code: Int
    public var payload: Payload
    public var warnings: [String]

    public init(code: Int, payload: Payload, warnings: [String] = []) {
        self.code = code
        self.payload = payload
        self.warnings = warnings
    }

    /// The object payload, nil for lists (convenient in tests and for the router's Table path).
    public var object: JSONValue? {
        if case .object(let o) = payload { return o }
        return nil
    }
}
