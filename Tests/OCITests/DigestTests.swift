import Testing
@testable import OCI

@Suite struct DigestTests {
    @Test func parsesSha256AndSha512() throws {
        let hex256 = String(repeating: "a", count: 64)
        let d = try Digest(parsing: "sha256:\(hex256)")
        #expect(d.algorithm == .sha256)
        #expect(d.encoded == hex256)
        #expect(d.description == "sha256:\(hex256)")
        let d512 = try Digest(parsing: "sha512:" + String(repeating: "0", count: 128))
        #expect(d512.algorithm == .sha512)
    }

    @Test(arguments: [
        "sha256", "sha256:", ":abc", "sha256:ABC" + String(repeating: "a", count: 61),
        "sha256:" + String(repeating: "a", count: 63), "sha256:../../etc/passwd",
        "sha256:" + String(repeating: "g", count: 64),
    ])
    func rejectsMalformed(_ s: String) {
        #expect(throws: Digest.ParseError.self) { try Digest(parsing: s) }
    }

    @Test func rejectsUnknownAlgorithm() {
        #expect(throws: Digest.ParseError.unsupportedAlgorithm("md5")) { try Digest(parsing: "md5:abcd") }
    }
}
