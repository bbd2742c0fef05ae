import Foundation
import Hummingbird
import Logging
import NIOCore

/// etcd's v3 JSON gateway paths served over any `KeyValueStore` + `StoreAdministration`.
///
/// Unary calls answer one JSON object; watch and snapshot answer newline-delimited
/// `{"result": …}` objects for as long as the stream lasts. Errors are grpc-gateway's
/// `{"error", "message", "code"}` body with a matching HTTP status. Both the `/v3/` and
/// the older `/v3beta/` prefixes are served, as etcd 3.4 does.
public enum GatewayRoutes {
    public static func router(
        store: any KeyValueStore, admin: any StoreAdministration, logger: Logger
    ) -> Router<BasicRequestContext> {
        let router = Router()
        for prefix in ["/v3", "/v3beta"] {
            // The hottest call: plain bodies skip Foundation's JSON coders (see GatewayFastJSON).
            router.post("\(prefix)/kv/put") { request, _ -> Response in
                do {
                    var request = request
                    let buffer = try await request.collectBody(upTo: 64 << 20)
                    let body = try GatewayFastJSON.decodePut(buffer) ?? decode(KV.PutRequest.self, buffer)
                    let result = try await store.put(body)
                    if let encoded = GatewayFastJSON.encodePut(result) { return jsonResponse(.ok, encoded) }
                    return jsonResponse(.ok, try JSONEncoder().encode(result))
                } catch {
                    return errorResponse(error, logger)
                }
            }
            unary(router, "\(prefix)/kv/range", logger) { (r: KV.RangeRequest) in try await store.range(r) }
            unary(router, "\(prefix)/kv/deleterange", logger) { (r: KV.DeleteRangeRequest) in
                try await store.deleteRange(r)
            }
            unary(router, "\(prefix)/kv/txn", logger) { (r: KV.TxnRequest) in try await store.txn(r) }
            unary(router, "\(prefix)/kv/compaction", logger) { (r: KV.CompactionRequest) in
                try await store.compact(r)
            }
            unary(router, "\(prefix)/lease/grant", logger) { (r: KV.LeaseGrantRequest) in try await store.leaseGrant(r) }
            for path in ["lease/revoke", "kv/lease/revoke"] {
                unary(router, "\(prefix)/\(path)", logger) { (r: KV.LeaseRevokeRequest) in try await store.leaseRevoke(r) }
            }
            for path in ["lease/timetolive", "kv/lease/timetolive"] {
                unary(router, "\(prefix)/\(path)", logger) { (r: KV.LeaseTimeToLiveRequest) in
                    try await store.leaseTimeToLive(r)
                }
            }
            // etcd streams keep-alives; one request body holds one request, answered as one line.
            router.post("\(prefix)/lease/keepalive") { request, _ -> Response in
                do {
                    let body = try await decode(KV.LeaseKeepAliveRequest.self, request)
                    let answer = try await store.leaseKeepAlive(body)
                    var data = try JSONEncoder().encode(KV.StreamLine(result: answer))
                    data.append(UInt8(ascii: "\n"))
                    return jsonResponse(.ok, data)
                } catch {
                    return errorResponse(error, logger)
                }
            }
            unary(router, "\(prefix)/cluster/member/list", logger) { (_: Empty) in try await admin.memberList() }
            unary(router, "\(prefix)/cluster/member/add", logger) { (r: KV.MemberAddRequest) in
                try await admin.memberAdd(r)
            }
            unary(router, "\(prefix)/cluster/member/remove", logger) { (r: KV.MemberIDRequest) in
                try await admin.memberRemove(id: r.id)
            }
            unary(router, "\(prefix)/cluster/member/promote", logger) { (r: KV.MemberIDRequest) in
                try await admin.memberPromote(id: r.id)
            }
            unary(router, "\(prefix)/maintenance/status", logger) { (_: Empty) in try await admin.status() }
            router.post("\(prefix)/watch") { request, context -> Response in
                let body: KV.WatchRequest
                do {
                    body = try await decode(KV.WatchRequest.self, request)
                } catch {
                    return errorResponse(error, logger)
                }
                guard let create = body.createRequest else {
                    return errorResponse(
                        KVStoreError.invalidArgument("a watch needs a create_request"), logger)
                }
                return streaming(store.watch(create))
            }
            router.post("\(prefix)/maintenance/snapshot") { _, _ -> Response in
                streaming(admin.snapshot())
            }
        }
        return router
    }

    private struct Empty: Codable {}

    private static func unary<Req: Decodable & Sendable, Resp: Encodable & Sendable>(
        _ router: Router<BasicRequestContext>, _ path: String, _ logger: Logger,
        _ handler: @escaping @Sendable (Req) async throws -> Resp
    ) {
        router.post(RouterPath(stringLiteral: path)) { request, _ -> Response in
            do {
                let body = try await decode(Req.self, request)
                let result = try await handler(body)
                return jsonResponse(.ok, try JSONEncoder().encode(result))
            } catch {
                return errorResponse(error, logger)
            }
        }
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        var request = request
        return try decode(type, try await request.collectBody(upTo: 64 << 20))
    }

    private static func decode<T: Decodable>(_ type: T.Type, _ buffer: ByteBuffer) throws -> T {
        let data = Data(buffer.readableBytesView)
        do {
            return try JSONDecoder().decode(type, from: data.isEmpty ? Data("{}".utf8) : data)
        } catch {
            throw KVStoreError.invalidArgument("malformed request body: \(describe(error))")
        }
    }

    private static func jsonResponse(_ status: HTTPResponse.Status, _ data: Data) -> Response {
        jsonResponse(status, ByteBuffer(bytes: data))
    }

    private static func jsonResponse(_ status: HTTPResponse.Status, _ buffer: ByteBuffer) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: buffer))
    }

    static func errorResponse(_ error: any Error, _ logger: Logger) -> Response {
        let failure = KVStoreError.wrapping(error)
        if failure.code == GatewayErrorCode.internal {
            logger.error("request failed", metadata: ["error": "\(error)"])
        }
        let body = KV.ErrorBody(message: failure.message, code: failure.code)
        let data = (try? JSONEncoder().encode(body)) ?? Data()
        return jsonResponse(HTTPResponse.Status(code: failure.httpStatus), data)
    }

    private static func streaming<Line: Codable & Sendable & Hashable>(
        _ stream: AsyncThrowingStream<Line, any Error>
    ) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody { writer in
                let encoder = JSONEncoder()
                do {
                    for try await line in stream {
                        var data = try encoder.encode(KV.StreamLine(result: line))
                        data.append(UInt8(ascii: "\n"))
                        try await writer.write(ByteBuffer(bytes: data))
                    }
                } catch is CancellationError {
                } catch {
                    let failure = KVStoreError.wrapping(error)
                    var data = try encoder.encode(
                        KV.StreamLine<Line>(error: KV.ErrorBody(message: failure.message, code: failure.code)))
                    data.append(UInt8(ascii: "\n"))
                    try await writer.write(ByteBuffer(bytes: data))
                }
                try await writer.finish(nil)
            })
    }

    private static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let context):
            return context.debugDescription + at(context.codingPath)
        case DecodingError.keyNotFound(let key, let context):
            return "missing field \(key.stringValue)" + at(context.codingPath)
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return context.debugDescription + at(context.codingPath)
        default:
            return "\(error)"
        }
    }

    private static func at(_ path: [any CodingKey]) -> String {
        path.isEmpty ? "" : " (at \(path.map(\.stringValue).joined(separator: ".")))"
    }
}
