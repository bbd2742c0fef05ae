import APIModel
import AsyncHTTPClient
import NIOCore

extension APITransport {
    /// Runs one watch request, decoding events straight from the body bytes as they arrive
    /// and yielding them in order. Ends (finishing the continuation) when the server closes
    /// the stream, with the `ClientError` of a non-2xx answer, or silently when cancelled.
    func runWatch(path: String, into continuation: AsyncThrowingStream<WatchEvent, any Error>.Continuation) async {
        do {
            if let rateLimiter { try await rateLimiter.acquire() }
            var request = makeRequest(method: .GET, path: path, body: nil, contentType: nil)
            // A watch holds its connection until the server ends it, and the server closes the
            // connection then: never hand such a connection back to the pool for reuse.
            request.headers.replaceOrAdd(name: "Connection", value: "close")
            let response = try await watches.execute(request, deadline: .distantFuture, logger: nil)
            let status = Int(response.status.code)
            guard (200..<300).contains(status) else {
                let buffer = try await response.body.collect(upTo: Self.maximumResponseBytes)
                continuation.finish(throwing: Self.statusError(status: status, body: Array(buffer.readableBytesView)))
                return
            }
            var framer = JSONStreamFramer()
            for try await chunk in response.body {
                try framer.append(chunk.readableBytesView) { bytes in
                    continuation.yield(try Self.decodeWatchEvent(bytes))
                }
            }
            if framer.hasPartialObject && !Task.isCancelled {
                continuation.finish(throwing: ClientError.transport("GET \(path): the watch stream ended inside an event"))
                return
            }
            continuation.finish()
        } catch let error as ClientError {
            continuation.finish(throwing: error)
        } catch {
            if Task.isCancelled || error is CancellationError {
                continuation.finish()
            } else if error is JSONStreamFramer.Overflow {
                continuation.finish(throwing: ClientError.transport("GET \(path): a watch event exceeds the size limit"))
            } else {
                continuation.finish(throwing: ClientError.transport("GET \(path): \(error)"))
            }
        }
    }

    /// `{"type": "ADDED", "object": {...}}` → `WatchEvent`.
    static func decodeWatchEvent(_ bytes: ArraySlice<UInt8>) throws -> WatchEvent {
        let document: JSONValue
        do {
            document = try JSONValue.parse(bytes, options: JSONParseOptions(maxBytes: Int.max)).value
        } catch {
            throw ClientError.transport("a watch event is not JSON: \(error)")
        }
        guard let typeName = document["type"]?.stringValue, let type = WatchEvent.EventType(rawValue: typeName) else {
            throw ClientError.transport("a watch event has an unknown type: \(document["type"].map { "\($0)" } ?? "none")")
        }
        return WatchEvent(type: type, object: document["object"] ?? .null)
    }
}
