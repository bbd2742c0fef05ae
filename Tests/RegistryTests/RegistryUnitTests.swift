import Testing
@testable import Registry

@Suite("Names, routes and ranges")
struct RegistryUnitTests {
    @Test("repository names follow the distribution-spec grammar")
    func repositoryNames() {
        for valid in ["a", "library/busybox", "a.b_c__d--e/f-g", "0/1/2", "my-app", "x__y"] {
            #expect(RepositoryName.isValid(valid), "\(valid) should be valid")
        }
        for invalid in ["", "A", "a/", "/a", "a//b", "a..b", "a___b", "-a", "a-", "_a", "a/_layers", "a b", "..", "a/../b",
                        String(repeating: "a", count: 256)] {
            #expect(!RepositoryName.isValid(invalid), "\(invalid) should be invalid")
        }
    }

    @Test("tags follow [a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}")
    func tags() {
        #expect(TagName.isValid("latest") && TagName.isValid("v1.2.3-rc_1") && TagName.isValid("_x"))
        #expect(!TagName.isValid("") && !TagName.isValid(".hidden") && !TagName.isValid("-x") && !TagName.isValid("a/b"))
        #expect(!TagName.isValid(String(repeating: "a", count: 129)) && TagName.isValid(String(repeating: "a", count: 128)))
    }

    @Test("paths are matched from the end so names may contain endpoint words")
    func routes() {
        #expect(RegistryRoute(path: "/v2/") == .base)
        #expect(RegistryRoute(path: "/v2") == .base)
        #expect(RegistryRoute(path: "/v2/_catalog") == .catalog)
        #expect(RegistryRoute(path: "/v2/a/b/manifests/latest") == .manifest(name: "a/b", reference: "latest"))
        #expect(RegistryRoute(path: "/v2/blobs/blobs/sha256:ab") == .blob(name: "blobs", digest: "sha256:ab"))
        #expect(RegistryRoute(path: "/v2/x/blobs/uploads/") == .uploads(name: "x"))
        #expect(RegistryRoute(path: "/v2/x/blobs/uploads") == .uploads(name: "x"))
        #expect(RegistryRoute(path: "/v2/x/blobs/uploads/abc") == .upload(name: "x", id: "abc"))
        #expect(RegistryRoute(path: "/v2/tags/tags/list") == .tags(name: "tags"))
        #expect(RegistryRoute(path: "/v2/r/referrers/sha256%3Aab") == .referrers(name: "r", digest: "sha256:ab"))
        #expect(RegistryRoute(path: "/v2/manifests/latest") == nil)
        #expect(RegistryRoute(path: "/v1/x/tags/list") == nil)
    }

    @Test("Range headers")
    func ranges() {
        #expect(ByteRanges.parseRange("bytes=0-9", size: 100) == 0...9)
        #expect(ByteRanges.parseRange("bytes=90-", size: 100) == 90...99)
        #expect(ByteRanges.parseRange("bytes=-10", size: 100) == 90...99)
        #expect(ByteRanges.parseRange("bytes=50-500", size: 100) == 50...99)
        #expect(ByteRanges.parseRange("bytes=100-", size: 100) == nil)
        #expect(ByteRanges.parseRange("bytes=9-1", size: 100) == nil)
        #expect(ByteRanges.parseRange("bytes=0-1,4-5", size: 100) == nil)
        #expect(ByteRanges.parseRange("items=0-1", size: 100) == nil)
        #expect(ByteRanges.parseContentRange("0-99") == 0...99)
        #expect(ByteRanges.parseContentRange("bytes 100-199/*") == 100...199)
        #expect(ByteRanges.parseContentRange("5-1") == nil)
        #expect(ByteRanges.uploadRange(size: 0) == "0-0")
        #expect(ByteRanges.uploadRange(size: 10) == "0-9")
    }
}
