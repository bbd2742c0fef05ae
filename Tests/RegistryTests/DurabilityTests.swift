import Foundation
import Testing
import OCI
@testable import Registry
#if canImport(Glibc)
import Glibc
#endif

@Suite("Persistence, concurrency and interruption")
struct DurabilityTests {
    @Test("a restart keeps blobs, manifests, tags, links, referrers and open uploads")
    func restart() async throws {
        let root = try makeTemporaryDirectory()
        defer { removeDirectory(root) }
        let partial = randomBytes(50_000, seed: 11)
        let (digest, location, manifest) = try await withRegistry(root: root) { registry in
            let digest = try await registry.pushImage("team/app", tag: "v1")
            let manifest = try await registry.send(.GET, "/v2/team/app/manifests/v1").body
            let start = try await registry.send(.POST, "/v2/team/app/blobs/uploads/")
            let location = try #require(start.header("Location"))
            let patch = try await registry.send(.PATCH, location, body: Array(partial[0..<20_000]))
            #expect(patch.status == 202)
            return (digest, location, manifest)
        }
        try await withRegistry(root: root) { registry in
            let get = try await registry.send(.GET, "/v2/team/app/manifests/v1")
            #expect(get.status == 200)
            #expect(get.body == manifest)
            #expect(get.header("Docker-Content-Digest") == digest.description)
            let parsed = try JSONDecoder().decode(Manifest.self, from: Data(manifest))
            for blob in [parsed.config] + parsed.layers {
                let reply = try await registry.send(.GET, "/v2/team/app/blobs/\(blob.digest)")
                #expect(reply.status == 200 && sha256(reply.body) == blob.digest)
            }
            #expect(try await registry.send(.GET, "/v2/team/app/tags/list").decode(TagList.self).tags == ["v1"])
            #expect(try await registry.send(.GET, "/v2/_catalog").decode(Catalog.self).repositories == ["team/app"])
            // The upload resumes where it was: the hash is rebuilt from the data on disk.
            #expect(try await registry.send(.GET, location).header("Range") == "0-19999")
            let done = try await registry.send(.PUT, "\(location)?digest=\(sha256(partial))", body: Array(partial[20_000...]))
            #expect(done.status == 201)
            #expect(try await registry.send(.GET, "/v2/team/app/blobs/\(sha256(partial))").body == partial)
        }
    }

    @Test("uploads abandoned for a week are deleted at start; recent ones stay")
    func abandonedUploads() async throws {
        let root = try makeTemporaryDirectory()
        defer { removeDirectory(root) }
        let (old, recent) = try await withRegistry(root: root) { registry in
            var ids: [String] = []
            for _ in 0..<2 {
                let start = try await registry.send(.POST, "/v2/app/blobs/uploads/")
                let id = try #require(start.header("Docker-Upload-UUID"))
                _ = try await registry.send(.PATCH, "/v2/app/blobs/uploads/\(id)", body: [1, 2, 3])
                ids.append(id)
            }
            return (ids[0], ids[1])
        }
        let eightDaysAgo = Date(timeIntervalSinceNow: -8 * 24 * 3600)
        try FileManager.default.setAttributes([.modificationDate: eightDaysAgo], ofItemAtPath: root + "/uploads/\(old)/data")
        try await withRegistry(root: root) { (registry: LiveRegistry) async throws -> Void in
            #expect(try await registry.send(.GET, "/v2/app/blobs/uploads/\(old)").errorCodes == ["BLOB_UPLOAD_UNKNOWN"])
            #expect(!FileManager.default.fileExists(atPath: root + "/uploads/\(old)"))
            #expect(try await registry.send(.GET, "/v2/app/blobs/uploads/\(recent)").header("Range") == "0-2")
        }
    }

    @Test("concurrent pushes of the same blob all succeed and store it once")
    func concurrentIdenticalPushes() async throws {
        try await withRegistry { registry in
            let bytes = randomBytes(2_000_000, seed: 21)
            let digest = sha256(bytes)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<8 {
                    group.addTask {
                        let name = i % 2 == 0 ? "shared" : "repo\(i)"
                        if i % 3 == 0 {
                            return try await registry.send(.POST, "/v2/\(name)/blobs/uploads/?digest=\(digest)", body: bytes).status
                        }
                        let start = try await registry.send(.POST, "/v2/\(name)/blobs/uploads/")
                        let location = try #require(start.header("Location"))
                        _ = try await registry.send(.PATCH, location, body: Array(bytes[0..<1_000_000]))
                        return try await registry.send(.PUT, "\(location)?digest=\(digest)", body: Array(bytes[1_000_000...])).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 201, count: 8))
            #expect(filesUnder(registry.root + "/blobs") == ["sha256/\(digest.encoded.prefix(2))/\(digest.encoded)"])
            #expect(filesUnder(registry.root + "/uploads").isEmpty)
            for name in ["shared", "repo1", "repo3", "repo5", "repo7"] {
                #expect(try await registry.send(.GET, "/v2/\(name)/blobs/\(digest)").body == bytes)
            }
        }
    }

    @Test("an upload cut off mid-body leaves no blob and no half chunk")
    func interruptedUpload() async throws {
        try await withRegistry { registry in
            let bytes = randomBytes(4_000_000, seed: 31)
            let digest = sha256(bytes)
            // Monolithic upload: announce 4 MB, send 1 MB, hang up.
            try sendTruncated(port: registry.port,
                              head: "POST /v2/app/blobs/uploads/?digest=\(digest) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(bytes.count)\r\n\r\n",
                              body: Array(bytes[0..<1_000_000]))
            // Chunked session: one good chunk, then a chunk cut off.
            let start = try await registry.send(.POST, "/v2/app/blobs/uploads/")
            let location = try #require(start.header("Location"))
            _ = try await registry.send(.PATCH, location, body: Array(bytes[0..<500_000]))
            try sendTruncated(port: registry.port,
                              head: "PATCH \(location) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n",
                              body: Array(bytes[500_000..<700_000]))

            // The server notices the hang-up asynchronously: poll (bounded) with empty chunks
            // until the session is free again (a busy session refuses them).
            var freed = false
            for _ in 0..<200 where !freed {
                freed = try await registry.send(.PATCH, location, body: []).status == 202
                if !freed { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(freed)
            #expect(try await registry.send(.GET, location).header("Range") == "0-499999")
            let id = try #require(start.header("Docker-Upload-UUID"))
            let data = try FileManager.default.attributesOfItem(atPath: registry.root + "/uploads/\(id)/data")
            #expect((data[.size] as? NSNumber)?.intValue == 500_000)
            // The cut-off monolithic upload left nothing behind either.
            var leftovers: [String] = []
            for _ in 0..<200 {
                leftovers = filesUnder(registry.root + "/uploads")
                if leftovers.count == 2 { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(leftovers == ["\(id)/data", "\(id)/repository"])
            #expect(try await registry.send(.HEAD, "/v2/app/blobs/\(digest)").status == 404)
            #expect(filesUnder(registry.root + "/blobs").isEmpty)
            // The session continues from the last complete chunk.
            _ = try await registry.send(.PATCH, location, headers: [("Content-Range", "500000-3999999")], body: Array(bytes[500_000...]))
            let done = try await registry.send(.PUT, "\(location)?digest=\(digest)")
            #expect(done.status == 201)
            #expect(try await registry.send(.GET, "/v2/app/blobs/\(digest)").body == bytes)
        }
    }
}

/// Sends a request head and part of its body over a raw socket, then closes the connection.
func sendTruncated(port: Int, head: String, body: [UInt8]) throws {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestFailure("socket: errno \(errno)") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw TestFailure("connect: errno \(errno)") }
    for part in [Array(head.utf8), body] {
        var sent = 0
        while sent < part.count {
            let n = part.withUnsafeBytes { send(fd, $0.baseAddress! + sent, part.count - sent, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw TestFailure("send: errno \(errno)") }
            sent += n
        }
    }
}
