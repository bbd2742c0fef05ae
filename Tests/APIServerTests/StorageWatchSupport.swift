import APIModel
import APIServer
import Foundation
import Synchronization

/// Consumes a watch stream in the background and keeps what arrived, so tests can wait for
/// a number of events without blocking a thread (and without hanging on a missing event).
final class StorageEventCollector: Sendable {
    /// What the consumer task shares with the test (a class: the mutexes cannot be copied).
    private final class Inbox: Sendable {
        let received = Mutex<[WatchEvent]>([])
        let ended = Mutex(false)
    }

    private let inbox = Inbox()
    private let task: Task<Void, Never>

    init(_ stream: AsyncStream<WatchEvent>) {
        let inbox = self.inbox
        task = Task {
            for await event in stream { inbox.received.withLock { $0.append(event) } }
            inbox.ended.withLock { $0 = true }
        }
    }

    /// Waits until `count` events arrived (or the stream ended, or `seconds` passed).
    @discardableResult
    func waitFor(_ count: Int, seconds: Double = 10) async -> [WatchEvent] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let (events, done) = (inbox.received.withLock { $0 }, inbox.ended.withLock { $0 })
            if events.count >= count || done { return events }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return events
    }

    /// Waits until the stream has ended (or `seconds` passed); returns whether it did.
    func waitForEnd(seconds: Double = 10) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if inbox.ended.withLock({ $0 }) { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    var events: [WatchEvent] { inbox.received.withLock { $0 } }
    var hasEnded: Bool { inbox.ended.withLock { $0 } }

    /// Stops consuming (the watch ends as a client disconnecting would end it).
    func cancel() { task.cancel() }

    deinit { task.cancel() }
}

enum StorageFixtures {
    static var configMaps: ResourceInfo { ResourceRegistry.resource(group: "", version: "v1", plural: "configmaps")! }
    static var pods: ResourceInfo { ResourceRegistry.resource(group: "", version: "v1", plural: "pods")! }
    static var nodes: ResourceInfo { ResourceRegistry.resource(group: "", version: "v1", plural: "nodes")! }

    static func configMap(_ name: String, namespace: String = "default", labels: [String: String] = [:], data: [String: String] = [:]) -> JSONValue {
        var metadata: JSONValue = ["name": .string(name), "namespace": .string(namespace)]
        if !labels.isEmpty {
            metadata["labels"] = .object(JSONObject(keys: labels.keys.sorted(), values: labels.keys.sorted().map { .string(labels[$0]!) }))
        }
        var object: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata]
        if !data.isEmpty {
            object["data"] = .object(JSONObject(keys: data.keys.sorted(), values: data.keys.sorted().map { .string(data[$0]!) }))
        }
        return object
    }

    static func name(_ object: JSONValue) -> String { object["metadata"]?["name"]?.stringValue ?? "" }

    static func withLabel(_ object: JSONValue, _ key: String, _ value: String?) -> JSONValue {
        var object = object
        object.modify("metadata") { metadata in
            metadata?.modify("labels") { labels in
                if labels == nil { labels = .emptyObject }
                labels?[key] = value.map { .string($0) }
            }
        }
        return object
    }
}
