import Foundation
import PKI
import Testing
import X509

@Suite("Cluster PKI on disk: layout, modes, restart, corrupt and mismatched files")
struct ClusterPKITests {
    let options = PKIOptions(nodeName: "node-1", nodeAddresses: ["192.0.2.10"])

    @Test("first start writes every pair as PEM, keys 0600; a restart loads the same CA")
    func layoutAndRestart() throws {
        let data = try TemporaryDirectory()
        let first = try ClusterPKI.loadOrCreate(dataDirectory: data.path, options: options)
        let pki = data.file("pki")
        for name in ["ca", "peer-ca", "apiserver", "admin", "store-peer"] {
            #expect(try fileMode("\(pki)/\(name).key") == 0o600, "\(name).key")
            #expect(try fileMode("\(pki)/\(name).crt") == 0o644, "\(name).crt")
            let text = try String(contentsOfFile: "\(pki)/\(name).crt", encoding: .utf8)
            #expect(text.hasPrefix("-----BEGIN CERTIFICATE-----"))
        }
        #expect(try fileMode(pki) == 0o700)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: pki).filter { $0.contains(".tmp") }
        #expect(leftovers.isEmpty)

        let second = try ClusterPKI.loadOrCreate(dataDirectory: data.path, options: options)
        #expect(try second.ca.identity.sha256Fingerprint() == first.ca.identity.sha256Fingerprint())
        #expect(second.apiServer == first.apiServer)
        #expect(second.admin == first.admin)
        #expect(second.storePeer == first.storePeer)
        #expect(second.peerCA.certificate != second.ca.certificate)
        #expect(second.admin.certificate.subject.commonNames == ["admin"])
        #expect(second.admin.certificate.subject.organizations == ["system:masters"])
    }

    @Test("the fingerprint is the one openssl reports", .enabled(if: toolExists("/usr/bin/openssl")))
    func fingerprintMatchesOpenSSL() throws {
        let data = try TemporaryDirectory()
        let pki = try ClusterPKI.loadOrCreate(dataDirectory: data.path, options: options)
        let result = try runTool("/usr/bin/openssl", ["x509", "-noout", "-fingerprint", "-sha256", "-in", data.file("pki/ca.crt")])
        let reported = result.stdout.split(separator: "=").last.map {
            $0.replacingOccurrences(of: ":", with: "").trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        }
        #expect(reported == (try pki.ca.identity.sha256Fingerprint()))
    }

    @Test("a corrupt CA certificate is an error naming the file, and nothing is regenerated")
    func corruptCA() throws {
        let data = try TemporaryDirectory()
        _ = try ClusterPKI.loadOrCreate(dataDirectory: data.path, options: options)
        let caPath = data.file("pki/ca.crt")
        try "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n"
            .write(toFile: caPath, atomically: true, encoding: .utf8)
        let error = try #require(throws: PKIError.self) {
            try ClusterPKI.loadOrCreate(dataDirectory: data.path, options: options)
        }
        guard case .corruptFile(let path, _) = error else { Issue.record("unexpected \(error)"); return }
        #expect(path == caPath)
        #expect(error.description.contains(caPath))
        #expect(try String(contentsOfFile: caPath, encoding: .utf8).contains("bm90IGEgY2VydA=="))
    }

    @Test("a key that belongs to another certificate is an error naming both files")
    func mismatchedKey() throws {
        let data = try TemporaryDirectory()
        _ = try ClusterPKI.loadOrCreate(dataDirectory: data.path, options: options)
        let pki = data.file("pki")
        try FileManager.default.removeItem(atPath: "\(pki)/admin.key")
        try FileManager.default.copyItem(atPath: "\(pki)/apiserver.key", toPath: "\(pki)/admin.key")
        #expect(throws: PKIError.keyDoesNotMatchCertificate(certificatePath: "\(pki)/admin.crt", keyPath: "\(pki)/admin.key")) {
            try ClusterPKI.loadOrCreate(dataDirectory: data.path, options: options)
        }
    }

    @Test("a CA key without its certificate is refused rather than replaced")
    func missingHalf() throws {
        let data = try TemporaryDirectory()
        _ = try ClusterPKI.loadOrCreate(dataDirectory: data.path, options: options)
        let pki = data.file("pki")
        try FileManager.default.removeItem(atPath: "\(pki)/ca.crt")
        #expect(throws: PKIError.incompletePair(present: "\(pki)/ca.key", missing: "\(pki)/ca.crt")) {
            try ClusterPKI.loadOrCreate(dataDirectory: data.path, options: options)
        }
    }

    @Test("a leaf signed by a different CA is refused, naming the leaf and the CA")
    func foreignLeaf() throws {
        let data = try TemporaryDirectory(), other = try TemporaryDirectory()
        _ = try ClusterPKI.loadOrCreate(dataDirectory: data.path, options: options)
        _ = try ClusterPKI.loadOrCreate(dataDirectory: other.path, options: options)
        let pki = data.file("pki")
        for file in ["apiserver.crt", "apiserver.key"] {
            try FileManager.default.removeItem(atPath: "\(pki)/\(file)")
            try FileManager.default.copyItem(atPath: other.file("pki/\(file)"), toPath: "\(pki)/\(file)")
        }
        #expect(throws: PKIError.notSignedByCA(certificatePath: "\(pki)/apiserver.crt", caPath: "\(pki)/ca.crt")) {
            try ClusterPKI.loadOrCreate(dataDirectory: data.path, options: options)
        }
    }

    @Test("leaves near expiry are renewed at start with the same key; the CA stays")
    func renewalAtStart() throws {
        let data = try TemporaryDirectory()
        let start = Date()
        let first = try ClusterPKI.loadOrCreate(dataDirectory: data.path, options: options, now: start)
        let later = start.addingTimeInterval(300 * 86400)
        let second = try ClusterPKI.loadOrCreate(dataDirectory: data.path, options: options, now: later)
        #expect(second.ca == first.ca)
        #expect(second.apiServer.privateKey == first.apiServer.privateKey)
        #expect(second.apiServer.certificate.notValidAfter > first.apiServer.certificate.notValidAfter)
        let reloaded = try ClusterPKI.loadOrCreate(dataDirectory: data.path, options: options, now: later)
        #expect(reloaded.apiServer == second.apiServer)
    }

    @Test("extra component identities are issued once and reused")
    func componentCertificate() throws {
        let data = try TemporaryDirectory()
        let pki = try ClusterPKI.loadOrCreate(dataDirectory: data.path, options: options)
        let scheduler = try pki.ensureClientCertificate("scheduler", user: "system:kube-scheduler", groups: [])
        #expect(try pki.ensureClientCertificate("scheduler", user: "system:kube-scheduler", groups: []) == scheduler)
        #expect(CertificateIdentity.user(from: scheduler.certificate) == AuthenticatedUser(name: "system:kube-scheduler"))
        #expect(try fileMode(data.file("pki/scheduler.key")) == 0o600)
    }

    @Test("the token file is created once (64 hex characters, 0600) and a corrupt one is refused")
    func tokenFile() throws {
        let data = try TemporaryDirectory()
        let token = try TokenFile.loadOrCreate(dataDirectory: data.path)
        #expect(token.count == 64 && token.allSatisfy(\.isHexDigit))
        #expect(try TokenFile.loadOrCreate(dataDirectory: data.path) == token)
        #expect(try fileMode(data.file("token")) == 0o600)
        #expect(TokenFile.generate() != token)
        try "short\n".write(toFile: data.file("token"), atomically: true, encoding: .utf8)
        #expect(throws: PKIError.corruptFile(path: data.file("token"), reason: "expected 64 hexadecimal characters")) {
            try TokenFile.loadOrCreate(dataDirectory: data.path)
        }
    }
}
