import PKI
import Testing

@Suite("Static token file authenticator")
struct StaticTokenTests {
    @Test("k8s token CSV lines become users with uid and groups")
    func parse() throws {
        let csv = """
            31ada4fd-adec-460c-809a-9e56ceb75269,alice,1001,"system:masters,dev"
            s3cr3t,bob,1002
            "quoted,token",carol,,"a, b"

            """
        let authenticator = try StaticTokenAuthenticator(csv: csv)
        #expect(authenticator.authenticate(bearerToken: "31ada4fd-adec-460c-809a-9e56ceb75269")
            == AuthenticatedUser(name: "alice", uid: "1001", groups: ["system:masters", "dev"]))
        #expect(authenticator.authenticate(bearerToken: "s3cr3t") == AuthenticatedUser(name: "bob", uid: "1002"))
        #expect(authenticator.authenticate(bearerToken: "quoted,token") == AuthenticatedUser(name: "carol", groups: ["a", "b"]))
        #expect(authenticator.authenticate(authorizationHeader: "Bearer s3cr3t")?.name == "bob")
        #expect(authenticator.authenticate(authorizationHeader: "bearer s3cr3t")?.name == "bob")
        #expect(authenticator.authenticate(authorizationHeader: "Basic s3cr3t") == nil)
        #expect(authenticator.authenticate(bearerToken: "s3cr3") == nil)
        #expect(authenticator.authenticate(bearerToken: "") == nil)
    }

    @Test("malformed lines are refused with the file and line number")
    func errors() {
        #expect(throws: PKIError.invalidInput("tokens.csv:2: expected token,user,uid[,\"groups\"], got 2 column(s)")) {
            try StaticTokenAuthenticator(csv: "a,b,c\nonly,two\n", source: "tokens.csv")
        }
        #expect(throws: PKIError.invalidInput("tokens.csv:2: duplicate token")) {
            try StaticTokenAuthenticator(csv: "a,b,c\na,d,e\n", source: "tokens.csv")
        }
        #expect(throws: PKIError.invalidInput("tokens.csv:1: unterminated quoted field")) {
            try StaticTokenAuthenticator(csv: "a,b,\"c\n", source: "tokens.csv")
        }
        #expect(throws: PKIError.invalidInput("tokens.csv:1: empty token")) {
            try StaticTokenAuthenticator(csv: ",b,c\n", source: "tokens.csv")
        }
    }

    @Test("certificate identities: CN is the user, every O a group; server certificates name no user")
    func certificateIdentity() throws {
        let ca = try CertificateAuthority.generate()
        let client = try ca.issue(commonName: "jane", organizations: ["dev", "ops"], usage: .client)
        #expect(CertificateIdentity.user(from: client.certificate) == AuthenticatedUser(name: "jane", groups: ["dev", "ops"]))
        let server = try ca.issue(commonName: "kube-apiserver", usage: .server, servingNames: .apiServer())
        #expect(CertificateIdentity.user(from: server.certificate) == nil)
        #expect(try CertificateIdentity.user(fromPeer: nil) == nil)
    }
}
