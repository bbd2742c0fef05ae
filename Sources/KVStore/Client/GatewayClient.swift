import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

/// Why a gateway call failed.
public enum GatewayClientError: Error, CustomStringConvertible {
    /// The server answered with an error body (gRPC `code`, etcd's message).
    case server(status: Int, body: KV.ErrorBody)
    /// The server answered something that is not the expected JSON.
    case malformedResponse(path: String, status: Int, detail: String)
    /// No endpoint could be reached.
    case unreachable(endpoints: [String], lastError: String)

    public var description: String {
        switch self {
        case .server(let status, let body):
            return "server error (HTTP \(status), code \(body.code ?? 0)): \(body)"
        case .malformedResponse(let path, let status, let detail):
            return "unexpected response from \(path) (HTTP \(status)): \(detail)"
        case .unreachable(let endpoints, let lastError):
            return "cannot reach any endpoint of \(endpoints.joined(separator: ", ")): \(lastError)"
        }
    }

    /// Whether retrying the same request can help (no leader yet, leader changed).
    public var isRetryable: Bool {
        switch self {
        case .server(_, let body): return body.code == GatewayErrorCode.unavailable
        case .unreachable: return true
        case .malformedResponse: return false
        }
    }
}

/// gRPC status codes the gateway puts in error bodies.
public enum GatewayErrorCode {
    public static let invalidArgument = 3
    public static let deadlineExceeded = 4
    public static let notFound = 5
    public static let failedPrecondition = 9
    public static let outOfRange = 11
    public static let unimplemented = 12
    public static let `internal` = 13
    public static let unavailable = 14
}

/// A client of etcd's v3 JSON gateway. It drives skiff's HTTP endpoint and a real etcd alike,
/// which is what lets tests and benchmarks compare the two with the same code.
///
/// Endpoints are tried in order; a connection failure moves on to the next one, an error
/// answered by a server does not (the request reached a member, which decided).
public struct GatewayClient: Sendable {
    public let endpoints: [String]
    private let http: HTTPClient
    private let timeout: TimeAmount

    /// - Parameter endpoints: base URLs such as `http://127.0.0.1:2379`.
    public init(endpoints: [String], httpClient: HTTPClient = .shared, timeout: TimeAmount = .seconds(10)) {
        self.endpoints = endpoints.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.http = httpClient
        self.timeout = timeout
    }

    public func put(_ request: KV.PutRequest) async throws -> KV.PutResponse {
        try await call("/v3/kv/put", request)
    }

    public func range(_ request: KV.RangeRequest) async throws -> KV.RangeResponse {
        try await call("/v3/kv/range", request)
    }

    public func deleteRange(_ request: KV.DeleteRangeRequest) async throws -> KV.DeleteRangeResponse {
        try await call("/v3/kv/deleterange", request)
    }

    public func txn(_ request: KV.TxnRequest) async throws -> KV.TxnResponse {
        try await call("/v3/kv/txn", request)
    }

    public func compact(_ request: KV.CompactionRequest) async throws -> KV.CompactionResponse {
        try await call("/v3/kv/compaction", request)
    }

    public func leaseGrant(_ request: KV.LeaseGrantRequest) async throws -> KV.LeaseGrantResponse {
        try await call("/v3/lease/grant", request)
    }

    public func leaseRevoke(_ request: KV.LeaseRevokeRequest) async throws -> KV.LeaseRevokeResponse {
        try await call("/v3/lease/revoke", request)
    }

    /// One keep-alive round trip (etcd streams them; a single request gets a single answer).
    public func leaseKeepAlive(_ request: KV.LeaseKeepAliveRequest) async throws -> KV.LeaseKeepAliveResponse {
        let line: KV.StreamLine<KV.LeaseKeepAliveResponse> = try await call("/v3/lease/keepalive", request)
        if let error = line.error { throw GatewayClientError.server(status: 200, body: error) }
        guard let result = line.result else {
            throw GatewayClientError.malformedResponse(path: "/v3/lease/keepalive", status: 200, detail: "no result")
        }
        return result
    }

    public func leaseTimeToLive(_ request: KV.LeaseTimeToLiveRequest) async throws -> KV.LeaseTimeToLiveResponse {
        try await call("/v3/lease/timetolive", request)
    }

    public func memberList() async throws -> KV.MemberListResponse {
        try await call("/v3/cluster/member/list", EmptyBody())
    }

    public func memberAdd(_ request: KV.MemberAddRequest) async throws -> KV.MemberAddResponse {
        try await call("/v3/cluster/member/add", request)
    }

    public func memberRemove(id: UInt64) async throws -> KV.MemberListResponse {
        try await call("/v3/cluster/member/remove", KV.MemberIDRequest(id: id))
    }

    public func memberPromote(id: UInt64) async throws -> KV.MemberListResponse {
        try await call("/v3/cluster/member/promote", KV.MemberIDRequest(id: id))
    }

    public func status() async throws -> KV.StatusResponse {
        try await call("/v3/maintenance/status", EmptyBody())
    }

    /// Streams watch responses until the server ends the stream or the task is cancelled.
    public func watch(_ request: KV.WatchCreateRequest) -> AsyncThrowingStream<KV.WatchResponse, any Error> {
        streamLines("/v3/watch", KV.WatchRequest(createRequest: request), as: KV.WatchResponse.self)
    }

    /// Streams a consistent image of the whole store, chunk by chunk.
    public func snapshot() -> AsyncThrowingStream<KV.SnapshotChunk, any Error> {
        streamLines("/v3/maintenance/snapshot", EmptyBody(), as: KV.SnapshotChunk.self)
    }

    // MARK: - transport

    private struct EmptyBody: Codable, Sendable {}

    private func makeRequest<Body: Encodable>(_ base: String, _ path: String, _ body: Body) throws -> HTTPClientRequest {
        var request = HTTPClientRequest(url: base + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder().encode(body)))
        return request
    }

    private func call<Body: Encodable, Response: Decodable>(_ path: String, _ body: Body) async throws -> Response {
        var lastError = "no endpoints configured"
        for base in endpoints {
            let response: HTTPClientResponse
            let bytes: ByteBuffer
            do {
                response = try await http.execute(try makeRequest(base, path, body), timeout: timeout)
                bytes = try await response.body.collect(upTo: 1 << 30)
            } catch let error as HTTPClientError where error == .connectTimeout {
                // Never sent: safe to try the next member. (A request that was sent and then
                // timed out is not retried elsewhere: it may have been applied.)
                lastError = "\(base): \(error)"
                continue
            } catch let error as NIOConnectionError {
                lastError = "\(base): \(error)"
                continue
            }
            return try Self.decode(path: path, status: Int(response.status.code), bytes: bytes)
        }
        throw GatewayClientError.unreachable(endpoints: endpoints, lastError: lastError)
    }

    static func decode<Response: Decodable>(path: String, status: Int, bytes: ByteBuffer) throws -> Response {
        let data = Data(bytes.readableBytesView)
        guard status == 200 else {
            if let body = try? JSONDecoder().decode(KV.ErrorBody.self, from: data) {
                throw GatewayClientError.server(status: status, body: body)
            }
            throw GatewayClientError.malformedResponse(
                path: path, status: status, detail: String(decoding: data.prefix(200), as: UTF8.self))
        }
        do {
            return try JSONDecoder().decode(Response.self, from: data)
        } catch {
            throw GatewayClientError.malformedResponse(path: path, status: status, detail: "\(error)")
        }
    }

    private func streamLines<Body: Encodable & Sendable, Line: Codable & Sendable & Hashable>(
        _ path: String, _ body: Body, as: Line.Type
    ) -> AsyncThrowingStream<Line, any Error> {
        let endpoints = self.endpoints
        let http = self.http
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    guard let base = endpoints.first else {
                        throw GatewayClientError.unreachable(endpoints: endpoints, lastError: "no endpoints configured")
                    }
                    let response = try await http.execute(try makeRequest(base, path, body), timeout: .hours(24 * 365))
                    let status = Int(response.status.code)
                    if status != 200 {
                        let bytes = try await response.body.collect(upTo: 1 << 20)
                        let _: KV.StreamLine<Line> = try Self.decode(path: path, status: status, bytes: bytes)
                    }
                    var pending: [UInt8] = []
                    for try await chunk in response.body {
                        pending.append(contentsOf: chunk.readableBytesView)
                        while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                            let line = Array(pending[..<newline])
                            pending.removeSubrange(...newline)
                            if line.isEmpty { continue }
                            let decoded = try JSONDecoder().decode(KV.StreamLine<Line>.self, from: Data(line))
                            if let error = decoded.error { throw GatewayClientError.server(status: 200, body: error) }
                            if let result = decoded.result { continuation.yield(result) }
                        }
                    }
                    if !pending.isEmpty {
                        let decoded = try JSONDecoder().decode(KV.StreamLine<Line>.self, from: Data(pending))
                        if let error = decoded.error { throw GatewayClientError.server(status: 200, body: error) }
                        if let result = decoded.result { continuation.yield(result) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}
