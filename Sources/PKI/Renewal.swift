import Foundation
import X509

extension CertificateAuthority {
    /// Renew when less than this remains (kubeadm and k3s renew at 90 days too).
    public static let defaultRenewalWindow: TimeInterval = 90 * 24 * 3600

    /// Re-issues `current` when it expires within `renewalWindow`, when its names no longer match
    /// `servingNames` (a node address changed), or when its subject differs from the wanted one.
    /// The private key is kept, so a renewal never invalidates something pinned to the key.
    /// Returns nil when `current` is still good.
    public func renewIfNeeded(
        _ current: CertifiedKey,
        commonName: String,
        organizations: [String] = [],
        usage: CertificateUsage,
        servingNames: ServingNames? = nil,
        now: Date = Date(),
        renewalWindow: TimeInterval = defaultRenewalWindow,
        validity: TimeInterval = defaultLeafValidity
    ) throws -> CertifiedKey? {
        let subject = current.certificate.subject
        let expiring = current.remainingValidity(at: now) < renewalWindow
        let renamed = subject.commonNames != [commonName] || subject.organizations != organizations
        let wrongNames = usage.servesConnections
            && !ServingNames(certificate: current.certificate).sameNames(as: servingNames ?? ServingNames(dnsNames: [], ipAddresses: []))
        let currentUsage = try? current.certificate.extensions.extendedKeyUsage
        let wrongUsage = currentUsage != (try? usage.extendedKeyUsage)
        guard expiring || renamed || wrongNames || wrongUsage || !hasSigned(current.certificate) else { return nil }
        return try issue(commonName: commonName, organizations: organizations, usage: usage,
                         servingNames: servingNames, reusing: current.privateKey, now: now, validity: validity)
    }
}
