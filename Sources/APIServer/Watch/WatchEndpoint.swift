import APIModel
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// `?watch=true` on a collection (or a single object's URL, which watches by
/// `metadata.name`): the storage's event stream, one `{"type":…,"object":…}` line per event on
/// a chunked `application/json` response. The stream ends at `timeoutSeconds` (default: a
/// random 30–60 minutes, as Kubernetes spreads reconnects), when the client leaves, or at
/// graceful shutdown; the storage watcher is released in every case.
struct WatchEndpoint: Sendable {
    let storage: ObjectStorage
    let logger: Logger

    /// Why the merged stream yields: an event to write, or the end of the stream.
    private enum Item: Sendable {
        case event(WatchEvent)
        case end
    }

    func respond(request: Request, resource: ResourceInfo, namespace: String?, name: String?, query: URLQuery,
                 renderer: ResponseRenderer, channel: any Channel) async -> Response {
        let options: WatchOptions
        do {
            options = try Self.options(query: query, name: name)
        } catch let error as StorageError {
            return JSONResponses.make(error.code, error.status)
        } catch {
            return JSONResponses.make(StatusDocument.badRequest("\(error)"))
        }
        let events: AsyncStream<WatchEvent>
        do {
            events = try await storage.watch(resource, namespace: namespace, options: options)
        } catch let error as StorageError {
            return JSONResponses.make(error.code, error.status)
        } catch {
            return JSONResponses.make(StatusDocument.internalError("\(error)"))
        }
        let timeout = Self.timeout(query: query)
        let render = renderer
        let logger = self.logger
        var headers = HTTPFields()
        headers[.contentType] = JSONResponses.json
        headers[.cacheControl] = "no-cache, private"
        let body = ResponseBody { writer in
            let (merged, continuation) = AsyncStream<Item>.makeStream()
            // A callback, not an awaiting task: awaiting a future cannot be cancelled, and on a
            // kept-alive connection the close may never come.
            channel.closeFuture.whenComplete { _ in continuation.yield(.end) }
            // An HTTP/1.1 connection is not read while the handler runs, so a client that leaves
            // an idle watch would go unnoticed: keep reading the (empty) inbound side and end
            // the stream when it closes.
            try await request.body.consumeWithInboundCloseHandler { _ in
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await event in events { continuation.yield(.event(event)) }
                        continuation.yield(.end)
                    }
                    group.addTask {
                        try? await Task.sleep(for: timeout)
                        continuation.yield(.end)
                    }
                    group.addTask {
                        try? await gracefulShutdown()
                        continuation.yield(.end)
                    }
                    do {
                        for await item in merged {
                            guard case .event(let event) = item else { break }
                            try await writer.write(ByteBuffer(bytes: render.watchLine(event)))
                        }
                        try await writer.finish(nil)
                    } catch {
                        logger.debug("watch stream ended", metadata: ["error": "\(error)"])
                    }
                    continuation.finish()
                    group.cancelAll()
                }
            } onInboundClosed: {
                continuation.yield(.end)
            }
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// WatchOptions from the query; a watch on one object's URL is a watch on its name.
    static func options(query: URLQuery, name: String?) throws -> WatchOptions {
        var fieldSelector = query["fieldSelector"] ?? ""
        if let name {
            fieldSelector = fieldSelector.isEmpty ? "metadata.name=\(name)" : fieldSelector + ",metadata.name=\(name)"
        }
        var options = WatchOptions()
        do {
            options.labelSelector = try LabelSelector(parsing: query["labelSelector"] ?? "")
        } catch {
            throw StorageError.badRequest("unable to parse requested label selector: \(error)")
        }
        do {
            options.fieldSelector = try FieldSelector(parsing: fieldSelector)
        } catch {
            throw StorageError.badRequest("unable to parse requested field selector: \(error)")
        }
        if let rv = query["resourceVersion"], !rv.isEmpty { options.resourceVersion = rv }
        options.allowBookmarks = query.flag("allowWatchBookmarks")
        return options
    }

    /// `timeoutSeconds`, else a random 30–60 minutes (Kubernetes' minRequestTimeout spread).
    static func timeout(query: URLQuery) -> Duration {
        if let text = query["timeoutSeconds"], let seconds = Int64(text), seconds > 0 { return .seconds(seconds) }
        return .seconds(Int64.random(in: 1800...3600))
    }
}
