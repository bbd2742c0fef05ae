import Foundation
import NIOSSL
import PKI
import X509

/// How one apiserver listens, whom it trusts and what it reports about itself.
public struct APIServerConfiguration: Sendable {
    /// The address to bind; loopback by default so that a dev cluster is not exposed by accident.
    public var host: String
    /// 6443 like Kubernetes; 0 binds an ephemeral port (tests), readable via `listeningPort()`.
    public var port: Int
    /// The serving TLS configuration (HTTP/2 and HTTP/1.1 are offered via ALPN). Nil serves plain
    /// HTTP where every request is anonymous yet allowed: kubectl sends no credentials over
    /// `http://`, so this mode exists only for tests and loopback use.
    public var tls: TLSConfiguration?
    /// The CA client certificates must chain to. Set into `tls` as trust roots with optional
    /// verification, so that a missing certificate still reaches the server and gets a 401 Status
    /// (or is authenticated by a bearer token) while a foreign certificate fails the handshake.
    public var clientCA: [Certificate]
    /// Bearer tokens (`Authorization: Bearer …`), from a token file.
    public var tokenAuthenticator: StaticTokenAuthenticator?
    /// Bodies above this are answered with 413 before they are decoded (Kubernetes: 3 MiB).
    public var maxRequestBodyBytes: Int
    /// The address legacy discovery (`/api`) advertises; defaults to host:port when nil.
    public var serverAddress: String?
    /// What `/version` reports; kubectl's dispatcher picks `kubectl.1.<minor>` from it.
    public var version: VersionInfo
    /// Decides each authenticated request; allows everything until RBAC exists.
    public var authorizer: any Authorizer
    /// The client certificate presented to the kubelets' streaming servers (logs, exec, attach,
    /// port-forward). With it set, and no `NodeStreams` given to the server, the apiserver
    /// proxies those subresources to the node a pod is bound to.
    public var kubeletClientIdentity: CertifiedKey?
    /// The CAs the kubelets' serving certificates chain to (the cluster CA).
    public var kubeletTrustRoots: [Certificate]

    public init(
        host: String = "127.0.0.1",
        port: Int = 6443,
        tls: TLSConfiguration? = nil,
        clientCA: [Certificate] = [],
        tokenAuthenticator: StaticTokenAuthenticator? = nil,
        maxRequestBodyBytes: Int = 3 * 1024 * 1024,
        serverAddress: String? = nil,
        version: VersionInfo = VersionInfo(),
        authorizer: any Authorizer = AllowAuthenticatedAuthorizer(),
        kubeletClientIdentity: CertifiedKey? = nil,
        kubeletTrustRoots: [Certificate] = []
    ) {
        self.host = host
        self.port = port
        self.tls = tls
        self.clientCA = clientCA
        self.tokenAuthenticator = tokenAuthenticator
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.serverAddress = serverAddress
        self.version = version
        self.authorizer = authorizer
        self.kubeletClientIdentity = kubeletClientIdentity
        self.kubeletTrustRoots = kubeletTrustRoots
    }
}

/// The `/version` document (Kubernetes' `version.Info`).
public struct VersionInfo: Sendable, Equatable {
    public var major: String
    public var minor: String
    public var gitVersion: String
    public var gitCommit: String
    public var buildDate: String

    public init(major: String = "1", minor: String = "32", gitVersion: String = "v1.32.4-skiff",
                gitCommit: String = "", buildDate: String = "1970-01-01T00:00:00Z") {
        self.major = major
        self.minor = minor
        self.gitVersion = gitVersion
        self.gitCommit = gitCommit
        self.buildDate = buildDate
    }
}
