import APIModel
import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import PKI

/// The HTTP side of the client: two HTTP/1.1 keep-alive connection pools over TLS (one for
/// requests, one for long-lived watches so that a few dozen watches never starve the
/// requests), the credentials, and the translation of non-2xx answers into `ClientError`.
final class APITransport: Sendable {
    let baseURL: String
    let userAgent: String
    let bearerToken: String?
    let requests: HTTPClient
    let watches: HTTPClient
    let rateLimiter: TokenBucket?
    let logger: Logger

    /// Connections per host kept for requests: enough for thousands of concurrent bindings
    /// to share without queueing behind AsyncHTTPClient's default of 8.
    static let requestConnectionsPerHost = 64
    /// Every watch holds one connection for its lifetime.
    static let watchConnectionsPerHost = 512
    /// Largest response body read whole (a list of many thousands of objects).
    static let maximumResponseBytes = 1 << 30

    init(connection: ClusterConnection, userAgent: String, rateLimiter: TokenBucket?, logger: Logger) throws {
        var server = connection.server
        while server.hasSuffix("/") { server.removeLast() }
        guard server.hasPrefix("https://") || server.hasPrefix("http://") else {
            throw ClientError.configuration("server \(connection.server) is not an http(s) URL")
        }
        self.baseURL = server
        self.userAgent = userAgent
        self.bearerToken = connection.bearerToken
        self.rateLimiter = rateLimiter
        self.logger = logger
        var tls: TLSConfiguration?
        if server.hasPrefix("https://") {
            do {
                var configuration = try TLSConfigurations.client(
                    trustRoots: connection.trustRoots, identity: connection.identity, applicationProtocols: ["http/1.1"])
                if connection.trustRoots.isEmpty { configuration.trustRoots = .default }
                if !connection.verifyHostname { configuration.certificateVerification = .noHostnameVerification }
                tls = configuration
            } catch {
                throw ClientError.configuration("TLS settings for \(server): \(error)")
            }
        }
        requests = Self.makeHTTPClient(tls: tls, connectionsPerHost: Self.requestConnectionsPerHost, readTimeout: .seconds(120))
        watches = Self.makeHTTPClient(tls: tls, connectionsPerHost: Self.watchConnectionsPerHost, readTimeout: nil)
    }

    private static func makeHTTPClient(tls: TLSConfiguration?, connectionsPerHost: Int, readTimeout: TimeAmount?) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = tls
        configuration.httpVersion = .http1Only
        configuration.timeout = .init(connect: .seconds(10), read: readTimeout)
        configuration.connectionPool = .init(idleTimeout: .seconds(90), concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerHost)
        configuration.decompression = .disabled
        configuration.redirectConfiguration = .disallow
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    func shutdown() async throws {
        try await requests.shutdown()
        try await watches.shutdown()
    }

    func makeRequest(method: HTTPMethod, path: String, body: [UInt8]?, contentType: String?,
                     accept: String = "application/json") -> HTTPClientRequest {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "User-Agent", value: userAgent)
        request.headers.add(name: "Accept", value: accept)
        if let bearerToken { request.headers.add(name: "Authorization", value: "Bearer \(bearerToken)") }
        if let body {
            request.headers.add(name: "Content-Type", value: contentType ?? "application/json")
            request.headers.add(name: "Content-Length", value: String(body.count))
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        return request
    }

    /// One request, body read whole; the status is returned, never thrown.
    func send(method: HTTPMethod, path: String, body: [UInt8]? = nil, contentType: String? = nil) async throws -> (status: Int, body: [UInt8]) {
        if let rateLimiter { try await rateLimiter.acquire() }
        let request = makeRequest(method: method, path: path, body: body, contentType: contentType)
        var attempt = 0
        while true {
            attempt += 1
            do {
                let response = try await requests.execute(request, timeout: .minutes(5), logger: nil)
                let buffer = try await response.body.collect(upTo: Self.maximumResponseBytes)
                return (Int(response.status.code), Array(buffer.readableBytesView))
            } catch {
                // A pooled keep-alive connection the server had just closed: a read is safe
                // to send again on a fresh one.
                if attempt < 3, method == .GET || method == .HEAD, !Task.isCancelled, Self.isStaleConnection(error) { continue }
                throw translate(error, method: method, path: path)
            }
        }
    }

    static func isStaleConnection(_ error: any Error) -> Bool {
        if let channelError = error as? ChannelError, channelError == .ioOnClosedChannel { return true }
        if let clientError = error as? HTTPClientError,
           clientError == .remoteConnectionClosed { return true }
        return false
    }

    private func translate(_ error: any Error, method: HTTPMethod, path: String) -> any Error {
        do {
            throw error
        } catch let error as ClientError {
            return error
        } catch is CancellationError {
            return CancellationError()
        } catch {
            if Task.isCancelled { return CancellationError() }
            return ClientError.transport("\(method) \(path): \(error)")
        }
    }

    /// One request whose answer must be a 2xx JSON document.
    func json(method: HTTPMethod, path: String, body: JSONValue? = nil, contentType: String? = nil) async throws -> JSONValue {
        let (status, bytes) = try await send(method: method, path: path, body: body?.encoded(), contentType: contentType)
        guard (200..<300).contains(status) else { throw Self.statusError(status: status, body: bytes) }
        return try Self.decode(bytes, what: "\(method) \(path)")
    }

    static func decode(_ bytes: some Collection<UInt8>, what: String) throws -> JSONValue {
        do {
            return try JSONValue.parse(bytes, options: JSONParseOptions(maxBytes: Int.max)).value
        } catch {
            throw ClientError.transport("\(what): the answer is not JSON: \(error)")
        }
    }

    /// The `ClientError` of a non-2xx answer, from its `Status` body when it has one.
    static func statusError(status: Int, body: [UInt8]) -> ClientError {
        if let document = try? JSONValue.parse(body, options: JSONParseOptions(maxBytes: Int.max)).value,
           document["kind"]?.stringValue == "Status" || document["reason"] != nil || document["message"] != nil {
            return statusError(status: status, document: document)
        }
        let text = String(decoding: body.prefix(1024), as: UTF8.self)
        return .status(code: status, reason: HTTPResponseStatus(statusCode: status).reasonPhrase, message: text, body: nil)
    }

    /// A `Status` document (also the object of a watch `ERROR` event) as a `ClientError`.
    static func statusError(status: Int, document: JSONValue) -> ClientError {
        let code = document["code"]?.intValue.map(Int.init) ?? status
        let reason = document["reason"]?.stringValue ?? HTTPResponseStatus(statusCode: code).reasonPhrase
        return .status(code: code, reason: reason, message: document["message"]?.stringValue ?? "", body: document)
    }
}
