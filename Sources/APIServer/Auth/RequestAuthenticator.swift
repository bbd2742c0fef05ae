import Hummingbird
import NIOCore
import NIOSSL
import PKI

/// Who sent a request, decided once per request before routing.
enum AuthenticationResult: Sendable {
    case authenticated(AuthenticatedUser)
    /// No credentials at all. Over plain HTTP that is the only possibility (kubectl sends none
    /// over `http://`), so it is allowed there; over TLS it is allowed only on public endpoints.
    case anonymous
    /// Credentials were presented and are wrong: always 401.
    case rejected(String)
}

/// Kubernetes' union of authenticators, in its order: the verified client certificate first
/// (CN = user, O = groups), then a bearer token from the token file.
struct RequestAuthenticator: Sendable {
    let tokens: StaticTokenAuthenticator?
    let tlsEnabled: Bool

    init(configuration: APIServerConfiguration) {
        tokens = configuration.tokenAuthenticator
        tlsEnabled = configuration.tls != nil
    }

    static let anonymousUser = AuthenticatedUser(name: "system:anonymous", groups: ["system:unauthenticated"])

    func authenticate(headers: HTTPFields, channel: any Channel) async -> AuthenticationResult {
        if tlsEnabled, let user = await Self.certificateUser(channel: channel) {
            return .authenticated(Self.withAuthenticatedGroup(user))
        }
        if let header = headers[.authorization] {
            guard let tokens, let user = tokens.authenticate(authorizationHeader: header) else {
                return .rejected("invalid bearer token")
            }
            return .authenticated(Self.withAuthenticatedGroup(user))
        }
        return .anonymous
    }

    /// Every authenticated user is in `system:authenticated`, as in Kubernetes.
    static func withAuthenticatedGroup(_ user: AuthenticatedUser) -> AuthenticatedUser {
        var user = user
        if !user.groups.contains("system:authenticated") { user.groups.append("system:authenticated") }
        return user
    }

    /// The user named by the peer's certificate. The TLS handler sits on the connection channel:
    /// the request's own channel for HTTP/1.1, its parent for an HTTP/2 stream.
    static func certificateUser(channel: any Channel) async -> AuthenticatedUser? {
        for candidate in [channel, channel.parent].compactMap({ $0 }) {
            guard let certificate = try? await candidate.nioSSL_peerCertificate().get() else { continue }
            return try? CertificateIdentity.user(fromPeer: certificate)
        }
        return nil
    }
}
