import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import OCI

/// How to reach registries.
public struct RegistryClientOptions: Sendable {
    /// Registries (`host:port`) spoken to over plain HTTP.
    public var insecureRegistries: Set<String>
    /// Plain HTTP to every registry.
    public var plainHTTP: Bool
    /// Loopback registries (`localhost`, `127.0.0.0/8`, `::1`) use plain HTTP, as docker allows.
    public var plainHTTPForLoopback: Bool
    /// Blobs fetched or pushed at once.
    public var concurrency: Int
    /// Retries of an interrupted blob download (each resumes from the partial file).
    public var retries: Int
    public var platform: Platform
    /// How long to keep trying to connect (the HTTP client retries refused connections until then).
    public var connectTimeoutSeconds: Int64

    public init(insecureRegistries: Set<String> = [], plainHTTP: Bool = false, plainHTTPForLoopback: Bool = true,
                concurrency: Int = 3, retries: Int = 3, platform: Platform = .host, connectTimeoutSeconds: Int64 = 15) {
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.insecureRegistries = insecureRegistries
        self.plainHTTP = plainHTTP
        self.plainHTTPForLoopback = plainHTTPForLoopback
        self.concurrency = concurrency
        self.retries = retries
        self.platform = platform
    }
}

/// A client of the OCI distribution API: pulls into and pushes from an `ImageStore`.
/// Speaks anonymous bearer-token auth (the 401 challenge → token → retry dance); call
/// `shutdown()` when done.
public final class RegistryClient: Sendable {
    let http: HTTPClient
    let store: ImageStore
    let options: RegistryClientOptions
    let tokens = TokenCache()
    let logger: Logger

    static let manifestAccept = [MediaType.ociIndex, MediaType.ociManifest, MediaType.dockerManifestList, MediaType.dockerManifest]
        .joined(separator: ", ")

    public init(store: ImageStore, options: RegistryClientOptions = RegistryClientOptions(),
                logger: Logger = Logger(label: "skiff.imagestore.registry")) {
        self.store = store
        self.options = options
        self.logger = logger
        var config = HTTPClient.Configuration(redirectConfiguration: .follow(max: 5, allowCycles: false),
                                              timeout: .init(connect: .seconds(options.connectTimeoutSeconds), read: .seconds(120)))
        config.decompression = .disabled
        http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }

    public func shutdown() async throws {
        try await http.shutdown()
    }

    /// The base URL of a registry's API.
    func baseURL(_ registry: String) -> String {
        let host = registry == ImageReference.dockerHub ? "registry-1.docker.io" : registry
        return "\(usesPlainHTTP(registry) ? "http" : "https")://\(host)"
    }

    func usesPlainHTTP(_ registry: String) -> Bool {
        if options.plainHTTP || options.insecureRegistries.contains(registry) { return true }
        guard options.plainHTTPForLoopback else { return false }
        var host = registry
        if host.hasPrefix("["), let close = host.firstIndex(of: "]") {
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            host = String(host[..<colon])
        }
        return host == "localhost" || host.hasPrefix("127.") || host == "::1"
    }

    struct Response {
        var status: HTTPResponseStatus
        var headers: HTTPHeaders
        var body: HTTPClientResponse.Body
        /// The whole body, bounded.
        func collect(max: Int = 4 << 20) async throws -> [UInt8] {
            let buf = try await body.collect(upTo: max)
            return Array(buf.readableBytesView)
        }
    }

    /// Sends a request, answering a bearer challenge once: a `401` with
    /// `WWW-Authenticate: Bearer realm=…` makes us fetch a token from the realm (for the
    /// challenge's scope, else `scope`) and retry with it.
    func send(_ method: HTTPMethod, _ url: String, registry: String, scope: String, headers: HTTPHeaders = [:],
              body: (@Sendable () throws -> HTTPClientRequest.Body)? = nil, timeout: TimeAmount = .seconds(300)) async throws -> Response {
        let cacheKey = "\(registry) \(scope)"
        var token = await tokens.get(cacheKey)
        for attempt in 0..<2 {
            var req = HTTPClientRequest(url: url)
            req.method = method
            req.headers = headers
            if let token { req.headers.replaceOrAdd(name: "Authorization", value: "Bearer \(token)") }
            if let body { req.body = try body() }
            let resp: HTTPClientResponse
            do {
                resp = try await http.execute(req, timeout: timeout)
            } catch {
                throw ImageStoreError.registry("\(method) \(url): \(error)")
            }
            guard resp.status == .unauthorized, attempt == 0 else {
                return Response(status: resp.status, headers: resp.headers, body: resp.body)
            }
            _ = try? await resp.body.collect(upTo: 1 << 20)
            guard let header = resp.headers.first(name: "WWW-Authenticate"), let challenge = AuthChallenge(header) else {
                throw ImageStoreError.registry("\(method) \(url): 401 Unauthorized without a WWW-Authenticate challenge")
            }
            guard challenge.scheme == "bearer", let realm = challenge.parameters["realm"] else {
                throw ImageStoreError.registry("\(method) \(url): registry asks for \(challenge.scheme) authentication; only anonymous bearer tokens are supported")
            }
            let fetched = try await fetchToken(realm: realm, service: challenge.parameters["service"],
                                               scope: challenge.parameters["scope"] ?? scope)
            await tokens.set(cacheKey, fetched)
            token = fetched
        }
        throw ImageStoreError.registry("\(method) \(url): still unauthorized after fetching a token")
    }

    private func fetchToken(realm: String, service: String?, scope: String) async throws -> String {
        guard var comps = URLComponents(string: realm) else {
            throw ImageStoreError.registry("token realm \"\(realm)\" is not a URL")
        }
        var items = comps.queryItems ?? []
        if let service { items.append(URLQueryItem(name: "service", value: service)) }
        items.append(URLQueryItem(name: "scope", value: scope))
        comps.queryItems = items
        guard let url = comps.string else { throw ImageStoreError.registry("token realm \"\(realm)\" is not a URL") }
        var req = HTTPClientRequest(url: url)
        req.method = .GET
        let resp: HTTPClientResponse
        do { resp = try await http.execute(req, timeout: .seconds(30)) } catch {
            throw ImageStoreError.registry("GET token from \(realm): \(error)")
        }
        let body = Array(try await resp.body.collect(upTo: 1 << 20).readableBytesView)
        guard resp.status == .ok else {
            throw ImageStoreError.registry("GET token from \(realm): \(resp.status.code) \(String(decoding: body.prefix(200), as: UTF8.self))")
        }
        guard let t = (try? JSONDecoder().decode(TokenResponse.self, from: Data(body)))?.bearer else {
            throw ImageStoreError.registry("token from \(realm) has neither \"token\" nor \"access_token\"")
        }
        return t
    }

    /// A readable error for a failed response: the distribution error codes when the body has them.
    func failure(_ what: String, _ resp: Response) async -> ImageStoreError {
        let body = (try? await resp.collect(max: 64 << 10)) ?? []
        if let errs = try? JSONDecoder().decode(DistributionErrorBody.self, from: Data(body)), !errs.errors.isEmpty {
            let text = errs.errors.map { "\($0.code): \($0.message)" + ($0.detail.map { " (\($0))" } ?? "") }.joined(separator: "; ")
            return .registry("\(what): \(resp.status.code) \(text)")
        }
        let snippet = String(decoding: body.prefix(200), as: UTF8.self)
        return .registry("\(what): \(resp.status.code) \(resp.status.reasonPhrase)\(snippet.isEmpty ? "" : ": \(snippet)")")
    }
}
