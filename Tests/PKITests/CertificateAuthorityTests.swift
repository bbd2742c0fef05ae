import Crypto
import Foundation
import PKI
import Testing
import X509

@Suite("Certificate authority: issuing, CSR signing, renewal")
struct CertificateAuthorityTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a generated CA is a critical CA:true keyCertSign certificate named skiff-ca@<unix time>")
    func generatedCA() throws {
        let ca = try CertificateAuthority.generate(now: now)
        let certificate = ca.certificate
        #expect(certificate.subject.commonNames == ["skiff-ca@1800000000"])
        #expect(certificate.issuer == certificate.subject)
        let constraints = try #require(certificate.extensions[oid: .X509ExtensionID.basicConstraints])
        #expect(constraints.critical)
        #expect(try certificate.extensions.basicConstraints == .isCertificateAuthority(maxPathLength: nil))
        let usage = try #require(try certificate.extensions.keyUsage)
        #expect(usage.keyCertSign && usage.cRLSign && usage.digitalSignature)
        #expect(try #require(certificate.extensions[oid: .X509ExtensionID.keyUsage]).critical)
        #expect(try certificate.extensions.subjectKeyIdentifier != nil)
        let years = certificate.notValidAfter.timeIntervalSince(now) / (365 * 24 * 3600)
        #expect(years > 9.99 && years < 10.01)
        #expect(ca.hasSigned(certificate))
    }

    @Test("a leaf certificate is refused as a CA")
    func leafIsNotACA() throws {
        let ca = try CertificateAuthority.generate(now: now)
        let leaf = try ca.issue(commonName: "admin", usage: .client, now: now)
        #expect(throws: PKIError.notACertificateAuthority(path: "x.crt")) {
            try CertificateAuthority(identity: leaf, path: "x.crt")
        }
    }

    @Test("each usage gets exactly its extended key usages; only serving certificates carry names")
    func usages() throws {
        let ca = try CertificateAuthority.generate(now: now)
        let names = ServingNames.apiServer(nodeAddresses: ["192.0.2.7"])
        let server = try ca.issue(commonName: "kube-apiserver", usage: .server, servingNames: names, now: now)
        let client = try ca.issue(commonName: "admin", organizations: ["system:masters"], usage: .client,
                                  servingNames: names, now: now)
        let peer = try ca.issue(commonName: "node-1", usage: .peer, servingNames: names, now: now)
        #expect(Array(try #require(try server.certificate.extensions.extendedKeyUsage)) == [.serverAuth])
        #expect(Array(try #require(try client.certificate.extensions.extendedKeyUsage)) == [.clientAuth])
        #expect(Array(try #require(try peer.certificate.extensions.extendedKeyUsage)) == [.serverAuth, .clientAuth])
        #expect(try client.certificate.extensions.subjectAlternativeNames == nil)
        let sans = Array(try #require(try server.certificate.extensions.subjectAlternativeNames))
        #expect(sans.contains(.dnsName("kubernetes.default.svc.cluster.local")))
        #expect(sans.contains(.ipAddress(.init(contentBytes: [10, 43, 0, 1]))))
        #expect(sans.contains(.ipAddress(.init(contentBytes: [192, 0, 2, 7]))))
        #expect(sans.contains(.ipAddress(.init(contentBytes: ArraySlice([UInt8](repeating: 0, count: 15) + [1])))))
        #expect(client.certificate.subject.commonNames == ["admin"])
        #expect(client.certificate.subject.organizations == ["system:masters"])
        let days = server.certificate.notValidAfter.timeIntervalSince(now) / 86400
        #expect(days > 364.9 && days < 365.1)
        #expect(ca.hasSigned(server.certificate) && ca.hasSigned(client.certificate))
        let other = try CertificateAuthority.generate(now: now)
        #expect(!other.hasSigned(server.certificate))
    }

    @Test("a CSR keeps its subject, gets the CA's usages, and its requested names only when serving")
    func signCSR() throws {
        let ca = try CertificateAuthority.generate(now: now)
        let key = P256.Signing.PrivateKey()
        let subject = try DistinguishedName {
            OrganizationName("system:nodes")
            CommonName("system:node:worker-1")
        }
        let requested = try Certificate.Extensions {
            SubjectAlternativeNames([.dnsName("worker-1"), .ipAddress(.init(contentBytes: [192, 0, 2, 9]))])
            try ExtendedKeyUsage([.serverAuth, .clientAuth, .codeSigning])
        }
        let csr = try CertificateSigningRequest(
            version: .v1, subject: subject, privateKey: Certificate.PrivateKey(key),
            attributes: try CertificateSigningRequest.Attributes([.init(ExtensionRequest(extensions: requested))]),
            signatureAlgorithm: .ecdsaWithSHA256)

        let client = try ca.sign(csr: csr, usage: .client, now: now)
        #expect(client.subject == subject)
        #expect(client.publicKey == Certificate.PublicKey(key.publicKey))
        #expect(Array(try #require(try client.extensions.extendedKeyUsage)) == [.clientAuth])
        #expect(try client.extensions.subjectAlternativeNames == nil)
        #expect(ca.hasSigned(client))

        let serving = try ca.sign(csr: csr, usage: .server, now: now)
        #expect(Array(try #require(try serving.extensions.extendedKeyUsage)) == [.serverAuth])
        let sans = Array(try #require(try serving.extensions.subjectAlternativeNames))
        #expect(sans == [.dnsName("worker-1"), .ipAddress(.init(contentBytes: [192, 0, 2, 9]))])

        let overridden = try ca.sign(csr: csr, usage: .server,
                                     servingNames: ServingNames(dnsNames: ["only-this"], ipAddresses: []), now: now)
        #expect(Array(try #require(try overridden.extensions.subjectAlternativeNames)) == [.dnsName("only-this")])
    }

    @Test("a CSR whose signature was made by another key is refused")
    func forgedCSR() throws {
        let ca = try CertificateAuthority.generate(now: now)
        let subject = try DistinguishedName { CommonName("mallory") }
        let victim = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let attacker = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let signedByAttacker = try CertificateSigningRequest(
            version: .v1, subject: subject, privateKey: attacker,
            attributes: CertificateSigningRequest.Attributes(), signatureAlgorithm: .ecdsaWithSHA256)
        let forged = try CertificateSigningRequest(
            version: .v1, subject: subject, publicKey: victim.publicKey,
            attributes: CertificateSigningRequest.Attributes(),
            signatureAlgorithm: .ecdsaWithSHA256, signature: signedByAttacker.signature)
        #expect(throws: PKIError.self) { try ca.sign(csr: forged, usage: .client, now: now) }
        #expect(try ca.sign(csr: signedByAttacker, usage: .client, now: now).subject == subject)
    }

    @Test("renewIfNeeded renews inside the 90-day window, on changed names, and keeps the key")
    func renewal() throws {
        let ca = try CertificateAuthority.generate(now: now)
        let names = ServingNames.apiServer()
        let leaf = try ca.issue(commonName: "kube-apiserver", usage: .server, servingNames: names, now: now)
        let day: TimeInterval = 86400

        #expect(try ca.renewIfNeeded(leaf, commonName: "kube-apiserver", usage: .server, servingNames: names,
                                     now: now + 200 * day) == nil)
        let later = now + 280 * day
        let renewed = try #require(try ca.renewIfNeeded(
            leaf, commonName: "kube-apiserver", usage: .server, servingNames: names, now: later))
        #expect(renewed.privateKey == leaf.privateKey)
        #expect(renewed.certificate.notValidAfter > leaf.certificate.notValidAfter)
        #expect(renewed.certificate.serialNumber != leaf.certificate.serialNumber)
        #expect(ca.hasSigned(renewed.certificate))

        let moved = ServingNames.apiServer(nodeAddresses: ["198.51.100.4"])
        let readdressed = try #require(try ca.renewIfNeeded(
            leaf, commonName: "kube-apiserver", usage: .server, servingNames: moved, now: now + day))
        #expect(Array(try #require(try readdressed.certificate.extensions.subjectAlternativeNames))
            .contains(.ipAddress(.init(contentBytes: [198, 51, 100, 4]))))
        // Same names spelled differently (order, IPv6 spelling) are not a change.
        let respelled = ServingNames(dnsNames: names.dnsNames.reversed(),
                                     ipAddresses: ["0:0:0:0:0:0:0:1", "10.43.0.1", "127.0.0.1"])
        #expect(try ca.renewIfNeeded(leaf, commonName: "kube-apiserver", usage: .server, servingNames: respelled,
                                     now: now + day) == nil)
    }

    @Test("malformed addresses are refused with the offending text")
    func badAddress() throws {
        let ca = try CertificateAuthority.generate(now: now)
        #expect(throws: PKIError.invalidInput("not an IP address: \"10.0.0.300\"")) {
            try ca.issue(commonName: "x", usage: .server,
                         servingNames: ServingNames(dnsNames: [], ipAddresses: ["10.0.0.300"]), now: now)
        }
    }
}
