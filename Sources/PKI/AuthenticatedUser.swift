import NIOSSL
import X509

/// Who a request comes from, as Kubernetes' authenticators report it: a user name, an optional
/// UID and the groups. Adding `system:authenticated` is the apiserver's business, not ours.
public struct AuthenticatedUser: Sendable, Hashable, CustomStringConvertible {
    public var name: String
    public var uid: String?
    public var groups: [String]

    public init(name: String, uid: String? = nil, groups: [String] = []) {
        self.name = name
        self.uid = uid
        self.groups = groups
    }

    public var description: String {
        "\(name)" + (groups.isEmpty ? "" : " groups=\(groups.joined(separator: ","))")
    }
}

/// Reads the identity out of a client certificate the way Kubernetes' x509 authenticator does:
/// CN is the user name, each O is a group.
public enum CertificateIdentity {
    /// The user a certificate names, or nil when it names none (no CN) or was not issued for
    /// client authentication. Call this only on a certificate the TLS stack has verified — with
    /// `ClientCertificatePolicy.optional` or `.required` NIOSSL aborts the handshake otherwise,
    /// so any certificate `peerCertificate` returns afterwards is verified.
    public static func user(from certificate: Certificate) -> AuthenticatedUser? {
        guard let name = certificate.subject.commonNames.first, !name.isEmpty else { return nil }
        if let usages = try? certificate.extensions.extendedKeyUsage,
           !usages.contains(.clientAuth), !usages.contains(.any) {
            return nil
        }
        return AuthenticatedUser(name: name, groups: certificate.subject.organizations)
    }

    /// The user of the peer of a finished handshake: pass `channel.nioSSL_peerCertificate()`'s
    /// value. Nil means anonymous (no certificate presented).
    public static func user(fromPeer certificate: NIOSSLCertificate?) throws -> AuthenticatedUser? {
        guard let certificate else { return nil }
        let parsed = try Certificate(derEncoded: certificate.toDERBytes())
        return user(from: parsed)
    }
}
