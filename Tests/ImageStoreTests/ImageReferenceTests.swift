import OCI
import Testing

@Suite struct ImageReferenceTests {
    @Test(arguments: [
        ("busybox", "docker.io/library/busybox:latest"),
        ("busybox:1.36", "docker.io/library/busybox:1.36"),
        ("team/app", "docker.io/team/app:latest"),
        ("index.docker.io/library/busybox", "docker.io/library/busybox:latest"),
        ("localhost:5000/app:v1", "localhost:5000/app:v1"),
        ("localhost/app", "localhost/app:latest"),
        ("127.0.0.1:5000/a/b/c:t_1.x-y", "127.0.0.1:5000/a/b/c:t_1.x-y"),
        ("registry.example.com/a__b/c-d.e:TAG", "registry.example.com/a__b/c-d.e:TAG"),
        ("host:5000/a/b@sha256:" + String(repeating: "a", count: 64), "host:5000/a/b@sha256:" + String(repeating: "a", count: 64)),
        ("host:5000/a/b:v2@sha256:" + String(repeating: "b", count: 64), "host:5000/a/b:v2@sha256:" + String(repeating: "b", count: 64)),
        ("[::1]:5000/app", "[::1]:5000/app:latest"),
    ])
    func parsesAndNormalises(input: String, expected: String) throws {
        let r = try ImageReference(parsing: input)
        #expect(r.description == expected)
        #expect(try ImageReference(parsing: r.description) == r, "description round-trips")
    }

    @Test func partsAndDigest() throws {
        let d = "sha256:" + String(repeating: "c", count: 64)
        let r = try ImageReference(parsing: "host:5000/a/b:v1@\(d)")
        #expect(r.registry == "host:5000")
        #expect(r.repository == "a/b")
        #expect(r.tag == "v1")
        #expect(r.digest?.description == d)
        #expect(r.manifestReference == d, "the digest wins over the tag")
        let noTag = try ImageReference(parsing: "host:5000/a/b@\(d)")
        #expect(noTag.tag == nil)
    }

    @Test func defaultRegistryIsConfigurable() throws {
        let r = try ImageReference(parsing: "busybox", defaultRegistry: "registry.cluster:5000")
        #expect(r.description == "registry.cluster:5000/busybox:latest")
        #expect(try ImageReference(parsing: "other:1/x", defaultRegistry: "registry.cluster:5000").registry == "other:1")
    }

    @Test(arguments: [
        ("", "empty"),
        ("Busybox", "lowercase"),
        ("busybox:", "invalid tag"),
        ("busybox:-x", "invalid tag"),
        ("busybox@sha256:abc", "invalid digest"),
        ("busybox@md5:" + String(repeating: "a", count: 32), "invalid digest"),
        ("a//b", "empty path component"),
        ("a/-b", "must start and end"),
        ("a/b..c", "invalid separator"),
        ("host:99999/a", "invalid registry"),
        (String(repeating: "a", count: 300), "longer than 255"),
    ])
    func rejectsWithAReason(input: String, fragment: String) {
        do {
            let r = try ImageReference(parsing: input)
            Issue.record("\(input) parsed as \(r)")
        } catch {
            #expect("\(error)".contains(fragment), "\(error)")
        }
    }
}
