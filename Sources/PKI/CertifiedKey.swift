import Crypto
import Foundation
import X509

/// A certificate together with its private key: what a TLS endpoint presents.
public struct CertifiedKey: Sendable, Hashable {
    public let certificate: Certificate
    public let privateKey: Certificate.PrivateKey

    public init(certificate: Certificate, privateKey: Certificate.PrivateKey) {
        self.certificate = certificate
        self.privateKey = privateKey
    }

    public func certificatePEM() throws -> String { try certificate.serializeAsPEM().pemString + "\n" }
    public func privateKeyPEM() throws -> String { try privateKey.serializeAsPEM().pemString + "\n" }

    /// The certificate in DER form.
    public func certificateDER() throws -> [UInt8] { try certificate.serializeAsPEM().derBytes }

    /// Lower-case hex SHA-256 of the DER certificate, the fingerprint `openssl x509 -fingerprint -sha256` shows.
    public func sha256Fingerprint() throws -> String {
        SHA256.hash(data: try certificateDER()).map { String(format: "%02x", $0) }.joined()
    }

    /// Time left before the certificate expires.
    public func remainingValidity(at now: Date) -> TimeInterval {
        certificate.notValidAfter.timeIntervalSince(now)
    }
}

extension Certificate.PrivateKey {
    /// A fresh ECDSA P-256 key: small, fast, and accepted by every TLS stack kubectl and curl use.
    static func makeP256() -> Certificate.PrivateKey {
        Certificate.PrivateKey(P256.Signing.PrivateKey())
    }
}

extension DistinguishedName {
    /// Every CN value, in order.
    public var commonNames: [String] {
        flatMap { rdn in rdn.filter { $0.type == .RDNAttributeType.commonName }.compactMap { String($0.value) } }
    }

    /// Every O value, in order (O repeats: Kubernetes reads one group per O).
    public var organizations: [String] {
        flatMap { rdn in rdn.filter { $0.type == .RDNAttributeType.organizationName }.compactMap { String($0.value) } }
    }

    /// `CN=<commonName>` followed by one `O=` per organization, the shape Kubernetes reads users from.
    static func subject(commonName: String, organizations: [String]) throws -> DistinguishedName {
        var rdns: [RelativeDistinguishedName] = organizations.map {
            RelativeDistinguishedName(.init(type: .RDNAttributeType.organizationName, utf8String: $0))
        }
        rdns.append(RelativeDistinguishedName(.init(type: .RDNAttributeType.commonName, utf8String: commonName)))
        return DistinguishedName(rdns)
    }
}
