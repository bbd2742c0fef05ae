import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import OCI
import ServiceLifecycle
@testable import Registry

/// A registry running on 127.0.0.1 with a free port, for one test.
struct LiveRegistry: Sendable {
    let port: Int
    let root: String
    var base: String { "http://127.0.0.1:\(port)" }
}

/// A fresh, empty directory under the system temporary directory.
func makeTemporaryDirectory() throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-registry-test-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func removeDirectory(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

/// Runs `body` against a live registry over a real socket, then stops it. With `root`, the
/// registry uses that directory (and leaves it); without, a temporary one that is removed.
func withRegistry<T: Sendable>(root: String? = nil, _ body: @Sendable (LiveRegistry) async throws -> T) async throws -> T {
    let directory = try root ?? makeTemporaryDirectory()
    defer { if root == nil { removeDirectory(directory) } }
    var logger = Logger(label: "skiff.registry")
    logger.logLevel = .warning
    let service = RegistryService(root: directory, host: "127.0.0.1", port: 0, logger: logger)
    // Run it the way the cluster server will: inside a ServiceGroup, stopped by graceful shutdown.
    let group = ServiceGroup(configuration: .init(services: [service], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        do {
            let port = try await service.listeningPort()
            let result = try await body(LiveRegistry(port: port, root: directory))
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        } catch {
            await group.triggerGracefulShutdown()
            tasks.cancelAll()
            throw error
        }
    }
}

/// One HTTP exchange, fully read.
struct Reply: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: [UInt8]

    func header(_ name: String) -> String? { headers.first(name: name) }
    var text: String { String(decoding: body, as: UTF8.self) }

    /// The error codes of a distribution-spec error body (empty if it is not one).
    var errorCodes: [String] {
        (try? JSONDecoder().decode(DistributionErrorBody.self, from: Data(body)))?.errors.map(\.code) ?? []
    }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(body))
    }
}

extension LiveRegistry {
    /// Sends a request; `path` may be absolute (`/v2/…`) or a full URL.
    func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: path.hasPrefix("http") ? path : base + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        return try await execute(request)
    }

    /// Sends a body of unknown length (chunked transfer encoding).
    func sendStreaming(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], chunks: [[UInt8]]) async throws -> Reply {
        var request = HTTPClientRequest(url: path.hasPrefix("http") ? path : base + path)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let buffers = chunks.map { ByteBuffer(bytes: $0) }
        request.body = .stream(AsyncStream<ByteBuffer> { continuation in
            for buffer in buffers { continuation.yield(buffer) }
            continuation.finish()
        }, length: .unknown)
        return try await execute(request)
    }

    private func execute(_ request: HTTPClientRequest) async throws -> Reply {
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
        var body = try await response.body.collect(upTo: 256 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers,
                     body: body.readBytes(length: body.readableBytes) ?? [])
    }

    /// Pushes a blob in one request (`POST ?digest=`); returns its digest.
    @discardableResult
    func pushBlob(_ name: String, _ bytes: [UInt8]) async throws -> Digest {
        let digest = sha256(bytes)
        let reply = try await send(.POST, "/v2/\(name)/blobs/uploads/?digest=\(digest)", body: bytes)
        guard reply.status == 201 else { throw TestFailure("push of blob to \(name) answered \(reply.status): \(reply.text)") }
        return digest
    }

    /// Pushes an image manifest for the given blobs; returns the manifest bytes and digest.
    @discardableResult
    func pushManifest(_ name: String, reference: String, config: Digest, configSize: Int, layers: [(Digest, Int)],
                      subject: Descriptor? = nil, artifactType: String? = nil,
                      annotations: [String: String]? = nil) async throws -> (bytes: [UInt8], digest: Digest) {
        var manifest = Manifest(config: Descriptor(mediaType: MediaType.ociConfig, digest: config, size: Int64(configSize)),
                                layers: layers.map { Descriptor(mediaType: MediaType.ociLayerGzip, digest: $0.0, size: Int64($0.1)) },
                                subject: subject, annotations: annotations, artifactType: artifactType)
        manifest.mediaType = MediaType.ociManifest
        let bytes = try encodeJSON(manifest)
        let reply = try await send(.PUT, "/v2/\(name)/manifests/\(reference)",
                                   headers: [("Content-Type", MediaType.ociManifest)], body: bytes)
        guard reply.status == 201 else { throw TestFailure("push of manifest answered \(reply.status): \(reply.text)") }
        return (bytes, sha256(bytes))
    }

    /// Pushes a small image (config + one layer) and returns the manifest digest.
    @discardableResult
    func pushImage(_ name: String, tag: String, seed: UInt8 = 1) async throws -> Digest {
        let config = Array(#"{"architecture":"amd64","os":"linux","seed":\#(seed)}"#.utf8)
        let layer = randomBytes(4096, seed: seed)
        let configDigest = try await pushBlob(name, config)
        let layerDigest = try await pushBlob(name, layer)
        return try await pushManifest(name, reference: tag, config: configDigest, configSize: config.count,
                                      layers: [(layerDigest, layer.count)]).digest
    }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

func encodeJSON<T: Encodable>(_ value: T) throws -> [UInt8] {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    return Array(try encoder.encode(value))
}

func sha256(_ bytes: [UInt8]) -> Digest {
    BlobHasher.digest(of: bytes, algorithm: .sha256)
}

/// Deterministic pseudo-random bytes (incompressible, reproducible per seed).
func randomBytes(_ count: Int, seed: UInt8) -> [UInt8] {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(seed &+ 1)
    var out = [UInt8](repeating: 0, count: count)
    for i in 0..<count {
        state ^= state << 13; state ^= state >> 7; state ^= state << 17
        out[i] = UInt8(truncatingIfNeeded: state)
    }
    return out
}

/// Files under a directory, recursively, as paths relative to it.
func filesUnder(_ path: String) -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: path) else { return [] }
    var files: [String] = []
    while let item = enumerator.nextObject() as? String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path + "/" + item, isDirectory: &isDirectory), !isDirectory.boolValue {
            files.append(item)
        }
    }
    return files.sorted()
}
