import Foundation
import PKI
import Testing

@Suite("Join tokens pinning the cluster CA")
struct JoinTokenTests {
    @Test("a pinned token round-trips and pins exactly the CA file it was made from")
    func pinned() throws {
        let data = try TemporaryDirectory(), other = try TemporaryDirectory()
        let pki = try ClusterPKI.loadOrCreate(dataDirectory: data.path, options: PKIOptions(nodeName: "n"))
        let otherPKI = try ClusterPKI.loadOrCreate(dataDirectory: other.path, options: PKIOptions(nodeName: "n"))
        let secret = try TokenFile.loadOrCreate(dataDirectory: data.path)
        let token = try pki.joinToken(secret: secret)
        let text = token.description
        #expect(text.hasPrefix("K10") && text.hasSuffix("::server:\(secret)"))
        let parsed = try JoinToken(parsing: text + "\n")
        #expect(parsed == token)
        let caFile = try String(contentsOfFile: data.file("pki/ca.crt"), encoding: .utf8)
        #expect(parsed.pins(caPEM: caFile))
        #expect(!parsed.pins(caPEM: try otherPKI.ca.identity.certificatePEM()))
        // The hash is the sha256sum of ca.crt, so an operator can check it by hand.
        let sum = try runTool("/usr/bin/sha256sum", [data.file("pki/ca.crt")])
        #expect(sum.stdout.hasPrefix(parsed.caHash ?? "none"))
    }

    @Test("a bare secret is accepted and pins nothing; malformed K10 tokens are refused")
    func formats() throws {
        let bare = try JoinToken(parsing: "abc123")
        #expect(bare.caHash == nil && bare.secret == "abc123" && bare.pins(caPEM: "anything"))
        #expect(throws: PKIError.self) { try JoinToken(parsing: "K10abc::server:x") }
        #expect(throws: PKIError.self) { try JoinToken(parsing: "K10" + String(repeating: "a", count: 64) + "server:x") }
        #expect(throws: PKIError.self) { try JoinToken(parsing: "K10" + String(repeating: "a", count: 64) + "::server:") }
        #expect(throws: PKIError.self) { try JoinToken(parsing: "  ") }
        let withColons = try JoinToken(parsing: "K10" + String(repeating: "b", count: 64) + "::node:se:cret")
        #expect(withColons.user == "node" && withColons.secret == "se:cret")
    }
}
