import Crypto
import Foundation
import X509

/// A certificate authority of the cluster: a self-signed CA certificate and its key, able to
/// issue leaf certificates and to sign CSRs. A value type: it is created once at start and
/// passed to whoever needs to issue.
public struct CertificateAuthority: Sendable, Hashable {
    public let identity: CertifiedKey
    public var certificate: Certificate { identity.certificate }

    /// Ten years, as k3s uses for its CAs: long enough that a development cluster never meets it.
    public static let defaultValidity: TimeInterval = 10 * 365 * 24 * 3600
    /// One year for leaves, renewed by `renewIfNeeded` when less than `renewalWindow` remains.
    public static let defaultLeafValidity: TimeInterval = 365 * 24 * 3600
    /// Tolerance for clocks of other nodes being a little behind ours.
    static let backdating: TimeInterval = 5 * 60

    /// Wraps an existing CA, checking that it really is one (so a leaf copied over `ca.crt` is caught).
    public init(identity: CertifiedKey, path: String = "CA certificate") throws {
        let extensions = identity.certificate.extensions
        guard case .isCertificateAuthority = try? extensions.basicConstraints,
              (try? extensions.keyUsage)?.keyCertSign == true
        else { throw PKIError.notACertificateAuthority(path: path) }
        guard identity.privateKey.publicKey == identity.certificate.publicKey else {
            throw PKIError.keyDoesNotMatchCertificate(certificatePath: path, keyPath: path + " key")
        }
        self.identity = identity
    }

    /// Creates a new self-signed CA named `<prefix>@<unix time>`, the k3s convention that makes
    /// a regenerated CA visibly different from the one it replaced.
    public static func generate(
        namePrefix: String = "skiff-ca", now: Date = Date(), validity: TimeInterval = defaultValidity
    ) throws -> CertificateAuthority {
        let key = Certificate.PrivateKey.makeP256()
        let name = try DistinguishedName.subject(
            commonName: "\(namePrefix)@\(Int(now.timeIntervalSince1970))", organizations: [])
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
            Critical(KeyUsage(digitalSignature: true, keyCertSign: true, cRLSign: true))
            SubjectKeyIdentifier(hash: key.publicKey)
        }
        let certificate = try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: key.publicKey,
            notValidBefore: now.addingTimeInterval(-backdating),
            notValidAfter: now.addingTimeInterval(validity),
            issuer: name,
            subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: key
        )
        return try CertificateAuthority(identity: CertifiedKey(certificate: certificate, privateKey: key))
    }

    /// Issues a certificate for `publicKey` with the given subject and usage.
    public func issue(
        subject: DistinguishedName,
        publicKey: Certificate.PublicKey,
        usage: CertificateUsage,
        servingNames: ServingNames? = nil,
        now: Date = Date(),
        validity: TimeInterval = defaultLeafValidity
    ) throws -> Certificate {
        let authorityKeyID = (try? certificate.extensions.subjectKeyIdentifier)?.keyIdentifier
            ?? SubjectKeyIdentifier(hash: certificate.publicKey).keyIdentifier
        var extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try usage.extendedKeyUsage
            SubjectKeyIdentifier(hash: publicKey)
            AuthorityKeyIdentifier(keyIdentifier: authorityKeyID)
        }
        if usage.servesConnections, let servingNames {
            let names = try servingNames.generalNames()
            if !names.isEmpty { try extensions.append(SubjectAlternativeNames(names).makeCertificateExtension()) }
        }
        // Never outlive the CA: a chain with a leaf valid past its issuer fails verification later.
        let notAfter = min(now.addingTimeInterval(validity), certificate.notValidAfter)
        return try Certificate(
            version: .v3,
            serialNumber: Certificate.SerialNumber(),
            publicKey: publicKey,
            notValidBefore: now.addingTimeInterval(-Self.backdating),
            notValidAfter: notAfter,
            issuer: certificate.subject,
            subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: extensions,
            issuerPrivateKey: identity.privateKey
        )
    }

    /// Issues a certificate with a fresh P-256 key (or `reusing` an existing key, as renewal does,
    /// so that anything pinned to the key stays valid).
    public func issue(
        commonName: String,
        organizations: [String] = [],
        usage: CertificateUsage,
        servingNames: ServingNames? = nil,
        reusing key: Certificate.PrivateKey? = nil,
        now: Date = Date(),
        validity: TimeInterval = defaultLeafValidity
    ) throws -> CertifiedKey {
        let privateKey = key ?? .makeP256()
        let certificate = try issue(
            subject: try DistinguishedName.subject(commonName: commonName, organizations: organizations),
            publicKey: privateKey.publicKey, usage: usage, servingNames: servingNames, now: now, validity: validity)
        return CertifiedKey(certificate: certificate, privateKey: privateKey)
    }

    /// Signs a CSR from a node joining later. The requested subject (CN = identity, O = groups)
    /// is kept; the usages are the CA's choice, not the request's. Subject alternative names are
    /// `servingNames` when given, otherwise the ones requested (only for usages that serve).
    public func sign(
        csr: CertificateSigningRequest,
        usage: CertificateUsage,
        servingNames: ServingNames? = nil,
        now: Date = Date(),
        validity: TimeInterval = defaultLeafValidity
    ) throws -> Certificate {
        guard csr.publicKey.isValidSignature(csr.signature, for: csr) else {
            throw PKIError.invalidCSRSignature(subject: csr.subject.description)
        }
        var names = servingNames
        if names == nil, usage.servesConnections,
           let requested = try csr.attributes.extensionRequest?.extensions.subjectAlternativeNames {
            var dns: [String] = [], ips: [String] = []
            for name in requested {
                switch name {
                case .dnsName(let value): dns.append(value)
                case .ipAddress(let octets):
                    guard let text = ServingNames.addressText(Array(octets.bytes)) else {
                        throw PKIError.invalidInput("CSR for \(csr.subject) requests a malformed IP address")
                    }
                    ips.append(text)
                default:
                    throw PKIError.invalidInput("CSR for \(csr.subject) requests an unsupported name: \(name)")
                }
            }
            names = ServingNames(dnsNames: dns, ipAddresses: ips)
        }
        return try issue(subject: csr.subject, publicKey: csr.publicKey, usage: usage,
                         servingNames: names, now: now, validity: validity)
    }

    /// Whether `leaf` carries this CA's signature (and names it as issuer).
    public func hasSigned(_ leaf: Certificate) -> Bool {
        leaf.issuer == certificate.subject && certificate.publicKey.isValidSignature(leaf.signature, for: leaf)
    }
}
