import PKI

/// What a request wants to do, in the terms Kubernetes authorizers (RBAC) decide on.
public struct AuthorizationAttributes: Sendable {
    public var user: AuthenticatedUser
    /// Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection, or the
    /// lower-cased HTTP method for non-resource paths.
    public var verb: String
    public var isResourceRequest: Bool
    public var apiGroup: String
    public var apiVersion: String
    public var resource: String
    public var subresource: String
    public var namespace: String
    public var name: String
    /// The URL path, for non-resource requests (`/version`, `/healthz`).
    public var path: String

    public init(user: AuthenticatedUser, verb: String, isResourceRequest: Bool, apiGroup: String = "",
                apiVersion: String = "", resource: String = "", subresource: String = "",
                namespace: String = "", name: String = "", path: String) {
        self.user = user
        self.verb = verb
        self.isResourceRequest = isResourceRequest
        self.apiGroup = apiGroup
        self.apiVersion = apiVersion
        self.resource = resource
        self.subresource = subresource
        self.namespace = namespace
        self.name = name
        self.path = path
    }
}

public enum AuthorizationDecision: Sendable, Equatable {
    case allow
    /// Rendered as 403 Forbidden with the reason in the message.
    case deny(reason: String)
}

/// The authorization seam: RBAC plugs in here later.
public protocol Authorizer: Sendable {
    func authorize(_ attributes: AuthorizationAttributes) async -> AuthorizationDecision
}

/// The default until RBAC exists: whoever got past authentication may do everything. Over TLS
/// that means authenticated users only (anonymous requests are stopped with 401 before this);
/// over plain HTTP, which is for tests and loopback, anonymous requests get here and pass too.
public struct AllowAuthenticatedAuthorizer: Authorizer {
    public init() {}

    public func authorize(_ attributes: AuthorizationAttributes) async -> AuthorizationDecision { .allow }
}
