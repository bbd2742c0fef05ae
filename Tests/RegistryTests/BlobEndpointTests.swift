import Foundation
import Testing
import OCI
@testable import Registry

@Suite("Blob and upload endpoints over a live server")
struct BlobEndpointTests {
    @Test("GET /v2/ answers 200 with the API version header")
    func base() async throws {
        try await withRegistry { registry in
            let reply = try await registry.send(.GET, "/v2/")
            #expect(reply.status == 200)
            #expect(reply.header("Docker-Distribution-API-Version") == "registry/2.0")
        }
    }

    @Test("monolithic push, HEAD, GET, ranges and 416")
    func monolithicAndRanges() async throws {
        try await withRegistry { registry in
            let bytes = randomBytes(1_500_000, seed: 7)
            let digest = sha256(bytes)
            let push = try await registry.send(.POST, "/v2/app/blobs/uploads/?digest=\(digest)", body: bytes)
            #expect(push.status == 201)
            #expect(push.header("Location") == "/v2/app/blobs/\(digest)")
            #expect(push.header("Docker-Content-Digest") == digest.description)

            let head = try await registry.send(.HEAD, "/v2/app/blobs/\(digest)")
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == "1500000")
            #expect(head.header("Docker-Content-Digest") == digest.description)
            #expect(head.body.isEmpty)

            let get = try await registry.send(.GET, "/v2/app/blobs/\(digest)")
            #expect(get.status == 200)
            #expect(get.body == bytes)

            let part = try await registry.send(.GET, "/v2/app/blobs/\(digest)", headers: [("Range", "bytes=1000-1999")])
            #expect(part.status == 206)
            #expect(part.header("Content-Range") == "bytes 1000-1999/1500000")
            #expect(part.body == Array(bytes[1000...1999]))

            let tail = try await registry.send(.GET, "/v2/app/blobs/\(digest)", headers: [("Range", "bytes=-10")])
            #expect(tail.status == 206)
            #expect(tail.body == Array(bytes.suffix(10)))

            let bad = try await registry.send(.GET, "/v2/app/blobs/\(digest)", headers: [("Range", "bytes=2000000-")])
            #expect(bad.status == 416)
            #expect(bad.header("Content-Range") == "bytes */1500000")
            #expect(bad.errorCodes == ["RANGE_INVALID"])
        }
    }

    @Test("chunked upload: PATCH in order, status, out-of-order 416, PUT with a final chunk")
    func chunkedUpload() async throws {
        try await withRegistry { registry in
            let bytes = randomBytes(300_000, seed: 3)
            let digest = sha256(bytes)
            let start = try await registry.send(.POST, "/v2/team/app/blobs/uploads/")
            #expect(start.status == 202)
            let uuid = try #require(start.header("Docker-Upload-UUID"))
            var location = try #require(start.header("Location"))
            #expect(location == "/v2/team/app/blobs/uploads/\(uuid)")
            #expect(start.header("Range") == "0-0")

            let first = try await registry.send(.PATCH, location, headers: [("Content-Range", "0-99999")],
                                                body: Array(bytes[0..<100_000]))
            #expect(first.status == 202)
            #expect(first.header("Range") == "0-99999")
            location = try #require(first.header("Location"))

            // A chunk that skips ahead is refused and changes nothing.
            let skip = try await registry.send(.PATCH, location, headers: [("Content-Range", "150000-199999")],
                                               body: Array(bytes[150_000..<200_000]))
            #expect(skip.status == 416)
            #expect(skip.errorCodes == ["BLOB_UPLOAD_INVALID"])
            #expect(skip.header("Range") == "0-99999")

            // Without Content-Range, streamed with chunked transfer encoding.
            let second = try await registry.sendStreaming(.PATCH, location, chunks: [Array(bytes[100_000..<150_000]),
                                                                                     Array(bytes[150_000..<200_000])])
            #expect(second.status == 202)
            #expect(second.header("Range") == "0-199999")

            let status = try await registry.send(.GET, location)
            #expect(status.status == 204)
            #expect(status.header("Range") == "0-199999")
            #expect(status.header("Docker-Upload-UUID") == uuid)

            // Nothing is visible before completion.
            #expect(try await registry.send(.HEAD, "/v2/team/app/blobs/\(digest)").status == 404)

            let done = try await registry.send(.PUT, "\(location)?digest=\(digest)",
                                               headers: [("Content-Range", "200000-299999")],
                                               body: Array(bytes[200_000...]))
            #expect(done.status == 201)
            #expect(done.header("Docker-Content-Digest") == digest.description)
            #expect(try await registry.send(.GET, "/v2/team/app/blobs/\(digest)").body == bytes)
            // The session is gone.
            #expect(try await registry.send(.GET, location).errorCodes == ["BLOB_UPLOAD_UNKNOWN"])
            #expect(filesUnder(registry.root + "/uploads").isEmpty)
        }
    }

    @Test("a chunk whose Content-Length contradicts its Content-Range is SIZE_INVALID")
    func sizeInvalid() async throws {
        try await withRegistry { registry in
            let start = try await registry.send(.POST, "/v2/app/blobs/uploads/")
            let location = try #require(start.header("Location"))
            let reply = try await registry.send(.PATCH, location, headers: [("Content-Range", "0-99")], body: randomBytes(50, seed: 1))
            #expect(reply.status == 400)
            #expect(reply.errorCodes == ["SIZE_INVALID"])
            // A streamed chunk shorter than its Content-Range is refused too, and rolled back.
            let short = try await registry.sendStreaming(.PATCH, location, headers: [("Content-Range", "0-99")],
                                                         chunks: [randomBytes(60, seed: 2)])
            #expect(short.status == 400)
            #expect(short.errorCodes == ["SIZE_INVALID"])
            #expect(try await registry.send(.GET, location).header("Range") == "0-0")
        }
    }

    @Test("a wrong digest on completion is DIGEST_INVALID and nothing becomes visible")
    func digestInvalid() async throws {
        try await withRegistry { registry in
            let bytes = randomBytes(10_000, seed: 4)
            let wrong = sha256(randomBytes(10, seed: 9))
            let reply = try await registry.send(.POST, "/v2/app/blobs/uploads/?digest=\(wrong)", body: bytes)
            #expect(reply.status == 400)
            #expect(reply.errorCodes == ["DIGEST_INVALID"])
            #expect(try await registry.send(.HEAD, "/v2/app/blobs/\(sha256(bytes))").status == 404)

            let malformed = try await registry.send(.POST, "/v2/app/blobs/uploads/?digest=sha256:xyz", body: bytes)
            #expect(malformed.status == 400)
            #expect(malformed.errorCodes == ["DIGEST_INVALID"])

            let start = try await registry.send(.POST, "/v2/app/blobs/uploads/")
            let location = try #require(start.header("Location"))
            let noDigest = try await registry.send(.PUT, location, body: bytes)
            #expect(noDigest.errorCodes == ["DIGEST_INVALID"])
            #expect(filesUnder(registry.root + "/blobs").isEmpty)
        }
    }

    @Test("SHA-512 digests are verified too")
    func sha512Upload() async throws {
        try await withRegistry { registry in
            let bytes = randomBytes(70_000, seed: 12)
            let digest = BlobHasher.digest(of: bytes, algorithm: .sha512)
            let reply = try await registry.send(.POST, "/v2/app/blobs/uploads/?digest=\(digest)", body: bytes)
            #expect(reply.status == 201)
            #expect(try await registry.send(.GET, "/v2/app/blobs/\(digest)").body == bytes)
        }
    }

    @Test("cancel deletes the upload; unknown uploads are BLOB_UPLOAD_UNKNOWN")
    func cancel() async throws {
        try await withRegistry { registry in
            let start = try await registry.send(.POST, "/v2/app/blobs/uploads/")
            let location = try #require(start.header("Location"))
            _ = try await registry.send(.PATCH, location, body: randomBytes(1000, seed: 5))
            let cancel = try await registry.send(.DELETE, location)
            #expect(cancel.status == 204)
            let after = try await registry.send(.PATCH, location, body: [1, 2, 3])
            #expect(after.status == 404)
            #expect(after.errorCodes == ["BLOB_UPLOAD_UNKNOWN"])
            #expect(try await registry.send(.DELETE, location).errorCodes == ["BLOB_UPLOAD_UNKNOWN"])
            #expect(try await registry.send(.GET, "/v2/app/blobs/uploads/not-an-upload").errorCodes == ["BLOB_UPLOAD_UNKNOWN"])
            // An upload belongs to the repository it was started in.
            let other = try await registry.send(.POST, "/v2/app/blobs/uploads/")
            let id = try #require(other.header("Docker-Upload-UUID"))
            #expect(try await registry.send(.GET, "/v2/other/blobs/uploads/\(id)").errorCodes == ["BLOB_UPLOAD_UNKNOWN"])
            #expect(filesUnder(registry.root + "/uploads").count == 2)  // data + repository of the open one
        }
    }

    @Test("blobs are per repository; mount links them; DELETE unlinks")
    func mountAndIsolation() async throws {
        try await withRegistry { registry in
            let bytes = randomBytes(20_000, seed: 6)
            let digest = try await registry.pushBlob("source", bytes)
            _ = try await registry.pushBlob("target", [1])  // the repository exists, without the blob

            let unseen = try await registry.send(.GET, "/v2/target/blobs/\(digest)")
            #expect(unseen.status == 404)
            #expect(unseen.errorCodes == ["BLOB_UNKNOWN"])

            let mount = try await registry.send(.POST, "/v2/target/blobs/uploads/?mount=\(digest)&from=source")
            #expect(mount.status == 201)
            #expect(mount.header("Location") == "/v2/target/blobs/\(digest)")
            #expect(try await registry.send(.GET, "/v2/target/blobs/\(digest)").body == bytes)

            // Mounting what the source does not have falls back to an upload.
            let missing = sha256([9, 9, 9])
            let fallback = try await registry.send(.POST, "/v2/target/blobs/uploads/?mount=\(missing)&from=source")
            #expect(fallback.status == 202)
            #expect(fallback.header("Docker-Upload-UUID") != nil)

            let delete = try await registry.send(.DELETE, "/v2/target/blobs/\(digest)")
            #expect(delete.status == 202)
            #expect(try await registry.send(.HEAD, "/v2/target/blobs/\(digest)").status == 404)
            #expect(try await registry.send(.HEAD, "/v2/source/blobs/\(digest)").status == 200)
            #expect(try await registry.send(.DELETE, "/v2/target/blobs/\(digest)").errorCodes == ["BLOB_UNKNOWN"])
        }
    }

    @Test("invalid names are NAME_INVALID, unknown repositories NAME_UNKNOWN, bad digests DIGEST_INVALID")
    func nameErrors() async throws {
        try await withRegistry { registry in
            let invalid = try await registry.send(.GET, "/v2/Bad..Name/tags/list")
            #expect(invalid.status == 400)
            #expect(invalid.errorCodes == ["NAME_INVALID"])
            #expect(try await registry.send(.POST, "/v2/a__-b/blobs/uploads/").errorCodes == ["NAME_INVALID"])

            let unknown = try await registry.send(.GET, "/v2/nothing/here/tags/list")
            #expect(unknown.status == 404)
            #expect(unknown.errorCodes == ["NAME_UNKNOWN"])
            #expect(try await registry.send(.GET, "/v2/nothing/blobs/\(sha256([1]))").errorCodes == ["NAME_UNKNOWN"])

            _ = try await registry.pushBlob("app", [1])
            let badDigest = try await registry.send(.GET, "/v2/app/blobs/md5:abc")
            #expect(badDigest.status == 400)
            #expect(badDigest.errorCodes == ["DIGEST_INVALID"])

            // The body is exactly the spec's shape.
            let body = try unknown.decode(DistributionErrorBody.self)
            #expect(body.errors.count == 1 && body.errors[0].message.isEmpty == false && body.errors[0].detail == "nothing/here")
            #expect(unknown.header("Content-Type") == "application/json")
        }
    }
}
