import Foundation
import Logging
import X509

/// What the cluster's certificates should say. Flags live in the caller; this is only behaviour.
public struct PKIOptions: Sendable, Hashable {
    /// Names the apiserver is reachable under.
    public var apiServerNames: ServingNames
    /// Names the store's peer endpoint is reachable under.
    public var peerNames: ServingNames
    /// CN of the store peer certificate (the node's name).
    public var nodeName: String
    public var adminUser: String
    public var adminGroups: [String]
    public var leafValidity: TimeInterval
    public var renewalWindow: TimeInterval

    public init(
        nodeName: String,
        nodeAddresses: [String] = [],
        apiServerNames: ServingNames? = nil,
        peerNames: ServingNames? = nil,
        adminUser: String = "admin",
        adminGroups: [String] = ["system:masters"],
        leafValidity: TimeInterval = CertificateAuthority.defaultLeafValidity,
        renewalWindow: TimeInterval = CertificateAuthority.defaultRenewalWindow
    ) {
        self.nodeName = nodeName
        self.apiServerNames = apiServerNames
            ?? .apiServer(nodeAddresses: nodeAddresses, nodeNames: [nodeName])
        self.peerNames = peerNames
            ?? ServingNames(dnsNames: ["localhost", nodeName], ipAddresses: ["127.0.0.1", "::1"] + nodeAddresses)
        self.adminUser = adminUser
        self.adminGroups = adminGroups
        self.leafValidity = leafValidity
        self.renewalWindow = renewalWindow
    }
}

/// The cluster's key material, loaded from `<data>/pki/` or created there on first start.
///
/// Two CAs, not k3s's five and not one: `ca` signs the apiserver's serving certificate and every
/// client certificate (kubeconfig users, components, nodes), `peer-ca` signs only store peers.
/// The store's peer port demands clientAuth certificates; if one CA signed both, every kubeconfig
/// user certificate would also open the store's peer port and bypass the apiserver entirely.
/// Separate server and client CAs would buy nothing here: the extendedKeyUsage of each leaf
/// already stops a client certificate from serving, and BoringSSL checks it on both sides.
public struct ClusterPKI: Sendable {
    public static let caName = "ca"
    public static let peerCAName = "peer-ca"
    public static let apiServerName = "apiserver"
    public static let adminName = "admin"
    public static let storePeerName = "store-peer"
    /// CN of the apiserver's serving certificate, as kubeadm names it.
    public static let apiServerCommonName = "kube-apiserver"

    public let directory: PKIDirectory
    public let options: PKIOptions
    public let ca: CertificateAuthority
    public let peerCA: CertificateAuthority
    public let apiServer: CertifiedKey
    public let admin: CertifiedKey
    public let storePeer: CertifiedKey

    /// Loads every pair, creating what is missing and renewing leaves that expire within the
    /// renewal window or whose names changed. CAs are only ever created when absent.
    public static func loadOrCreate(
        dataDirectory: String,
        options: PKIOptions,
        now: Date = Date(),
        logger: Logger = Logger(label: "skiff.pki")
    ) throws -> ClusterPKI {
        let directory = PKIDirectory(dataDirectory: dataDirectory)
        try AtomicFile.makeDirectory(directory.path)
        let ca = try loadOrCreateCA(caName, prefix: "skiff-ca", in: directory, now: now, logger: logger)
        let peerCA = try loadOrCreateCA(peerCAName, prefix: "skiff-peer-ca", in: directory, now: now, logger: logger)
        let pki = ClusterPKI(
            directory: directory, options: options, ca: ca, peerCA: peerCA,
            apiServer: try ensureCertificate(
                apiServerName, in: directory, authority: ca, caName: caName,
                commonName: apiServerCommonName, usage: .server, servingNames: options.apiServerNames,
                options: options, now: now, logger: logger),
            admin: try ensureCertificate(
                adminName, in: directory, authority: ca, caName: caName,
                commonName: options.adminUser, organizations: options.adminGroups, usage: .client,
                options: options, now: now, logger: logger),
            storePeer: try ensureCertificate(
                storePeerName, in: directory, authority: peerCA, caName: peerCAName,
                commonName: options.nodeName, usage: .peer, servingNames: options.peerNames,
                options: options, now: now, logger: logger)
        )
        return pki
    }

    /// Loads the client certificate stored as `name`, issuing (or renewing) it with `ca` when
    /// needed: the composition root gives each component (scheduler, controllers, node agent)
    /// its own identity this way, as k3s does.
    public func ensureClientCertificate(
        _ name: String, user: String, groups: [String], now: Date = Date(),
        logger: Logger = Logger(label: "skiff.pki")
    ) throws -> CertifiedKey {
        try Self.ensureCertificate(
            name, in: directory, authority: ca, caName: Self.caName, commonName: user, organizations: groups,
            usage: .client, options: options, now: now, logger: logger)
    }

    static func loadOrCreateCA(
        _ name: String, prefix: String, in directory: PKIDirectory, now: Date, logger: Logger
    ) throws -> CertificateAuthority {
        if let existing = try directory.load(name) {
            let authority = try CertificateAuthority(identity: existing, path: directory.certificatePath(name))
            if existing.remainingValidity(at: now) <= 0 {
                logger.error("CA certificate has expired; rotate it by hand", metadata: ["path": "\(directory.certificatePath(name))"])
            }
            return authority
        }
        let authority = try CertificateAuthority.generate(namePrefix: prefix, now: now)
        try directory.save(authority.identity, as: name)
        logger.info("created certificate authority", metadata: [
            "path": "\(directory.certificatePath(name))",
            "subject": "\(authority.certificate.subject)",
        ])
        return authority
    }

    static func ensureCertificate(
        _ name: String, in directory: PKIDirectory, authority: CertificateAuthority, caName: String,
        commonName: String, organizations: [String] = [], usage: CertificateUsage,
        servingNames: ServingNames? = nil, options: PKIOptions, now: Date, logger: Logger
    ) throws -> CertifiedKey {
        guard let existing = try directory.load(name) else {
            let issued = try authority.issue(
                commonName: commonName, organizations: organizations, usage: usage,
                servingNames: servingNames, now: now, validity: options.leafValidity)
            try directory.save(issued, as: name)
            logger.info("issued certificate", metadata: ["path": "\(directory.certificatePath(name))"])
            return issued
        }
        guard authority.hasSigned(existing.certificate) else {
            throw PKIError.notSignedByCA(
                certificatePath: directory.certificatePath(name), caPath: directory.certificatePath(caName))
        }
        guard let renewed = try authority.renewIfNeeded(
            existing, commonName: commonName, organizations: organizations, usage: usage,
            servingNames: servingNames, now: now, renewalWindow: options.renewalWindow,
            validity: options.leafValidity)
        else { return existing }
        try directory.save(renewed, as: name)
        logger.info("renewed certificate", metadata: [
            "path": "\(directory.certificatePath(name))",
            "notAfter": "\(renewed.certificate.notValidAfter)",
        ])
        return renewed
    }
}

extension ClusterPKI {
    /// The admin kubeconfig entry for this cluster (`skiff-<cluster>`), ready for
    /// `Kubeconfig.write` or `Kubeconfig.merge`.
    public func adminKubeconfig(cluster: String, server: String = "https://127.0.0.1:6443") throws -> KubeconfigEntry {
        try KubeconfigEntry.skiff(cluster: cluster, certificateAuthority: ca.certificate, user: admin, server: server)
    }

    /// The pinned join token for `secret` (see `TokenFile`): what `skiff agent --token` takes.
    public func joinToken(secret: String) throws -> JoinToken {
        JoinToken(secret: secret, caPEM: try ca.identity.certificatePEM())
    }
}
