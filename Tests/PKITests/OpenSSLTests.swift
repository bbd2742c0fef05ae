import Foundation
import PKI
import Testing

/// The certificates checked by an independent implementation: the openssl CLI.
@Suite("openssl verifies and describes what skiff issues", .enabled(if: toolExists("/usr/bin/openssl"), "needs the openssl CLI"))
struct OpenSSLTests {
    let openssl = "/usr/bin/openssl"

    func makePKI() throws -> (TemporaryDirectory, ClusterPKI) {
        let data = try TemporaryDirectory()
        let pki = try ClusterPKI.loadOrCreate(
            dataDirectory: data.path, options: PKIOptions(nodeName: "node-1", nodeAddresses: ["192.0.2.10", "fd00::10"]))
        return (data, pki)
    }

    func text(_ path: String) throws -> String {
        let result = try runTool(openssl, ["x509", "-noout", "-text", "-in", path])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    @Test("openssl verify accepts every leaf against its own CA and rejects it against the other")
    func verify() throws {
        let (data, _) = try makePKI()
        let pki = data.file("pki")
        for leaf in ["apiserver", "admin"] {
            let result = try runTool(openssl, ["verify", "-CAfile", "\(pki)/ca.crt", "\(pki)/\(leaf).crt"])
            #expect(result.status == 0 && result.stdout.contains("OK"), "\(leaf): \(result.stdout)\(result.stderr)")
        }
        let peer = try runTool(openssl, ["verify", "-CAfile", "\(pki)/peer-ca.crt", "\(pki)/store-peer.crt"])
        #expect(peer.status == 0, "\(peer.stderr)")
        let crossed = try runTool(openssl, ["verify", "-CAfile", "\(pki)/ca.crt", "\(pki)/store-peer.crt"])
        #expect(crossed.status != 0)
        let purpose = try runTool(openssl, ["verify", "-purpose", "sslserver", "-CAfile", "\(pki)/ca.crt", "\(pki)/admin.crt"])
        #expect(purpose.status != 0, "a client certificate must not pass as a server certificate")
        let serverPurpose = try runTool(openssl, ["verify", "-purpose", "sslserver", "-CAfile", "\(pki)/ca.crt", "\(pki)/apiserver.crt"])
        #expect(serverPurpose.status == 0, "\(serverPurpose.stderr)")
    }

    @Test("the CA shows CA:TRUE, keyCertSign and cRLSign as critical, and a key identifier")
    func caText() throws {
        let (data, _) = try makePKI()
        let description = try text(data.file("pki/ca.crt"))
        #expect(description.contains("Subject: CN = skiff-ca@"))
        #expect(description.contains("X509v3 Basic Constraints: critical"))
        #expect(description.contains("CA:TRUE"))
        #expect(description.contains("X509v3 Key Usage: critical"))
        #expect(description.contains("Digital Signature, Certificate Sign, CRL Sign"))
        #expect(description.contains("X509v3 Subject Key Identifier"))
        #expect(description.contains("ASN1 OID: prime256v1"))
    }

    @Test("the serving certificate shows every name and serverAuth only")
    func servingText() throws {
        let (data, _) = try makePKI()
        let description = try text(data.file("pki/apiserver.crt"))
        for name in ["DNS:localhost", "DNS:kubernetes", "DNS:kubernetes.default", "DNS:kubernetes.default.svc",
                     "DNS:kubernetes.default.svc.cluster.local", "DNS:node-1",
                     "IP Address:127.0.0.1", "IP Address:0:0:0:0:0:0:0:1", "IP Address:10.43.0.1",
                     "IP Address:192.0.2.10", "IP Address:FD00:0:0:0:0:0:0:10"] {
            #expect(description.contains(name), "missing \(name)")
        }
        #expect(description.contains("TLS Web Server Authentication"))
        #expect(!description.contains("TLS Web Client Authentication"))
        #expect(description.contains("CA:FALSE"))
    }

    @Test("the admin certificate shows O=system:masters, CN=admin and clientAuth only")
    func adminText() throws {
        let (data, _) = try makePKI()
        let description = try text(data.file("pki/admin.crt"))
        #expect(description.contains("Subject: O = system:masters, CN = admin"))
        #expect(description.contains("TLS Web Client Authentication"))
        #expect(!description.contains("TLS Web Server Authentication"))
        #expect(!description.contains("Subject Alternative Name"))
        let peer = try text(data.file("pki/store-peer.crt"))
        #expect(peer.contains("TLS Web Server Authentication, TLS Web Client Authentication"))
    }

    @Test("a certificate with one changed byte fails verification")
    func tampered() throws {
        let (data, pki) = try makePKI()
        var der = try pki.apiServer.certificateDER()
        // Change a character of the subject "kube-apiserver" inside the signed part.
        let marker = Array("kube-apiserver".utf8)
        let position = try #require(der.indices.first { der[$0...].starts(with: marker) })
        der[position] = UInt8(ascii: "K")
        let body = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        let tampered = data.file("tampered.crt")
        try "-----BEGIN CERTIFICATE-----\n\(body)\n-----END CERTIFICATE-----\n".write(toFile: tampered, atomically: true, encoding: .utf8)
        #expect(try text(tampered).contains("CN = Kube-apiserver"))
        let result = try runTool(openssl, ["verify", "-CAfile", data.file("pki/ca.crt"), tampered])
        #expect(result.status != 0)
        #expect((result.stdout + result.stderr).contains("signature failure"))
    }
}
