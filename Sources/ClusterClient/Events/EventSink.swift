import APIModel
import Foundation
import Logging

/// Sends an `EventRecorder`'s events one at a time, counting repeats on the event already
/// created for the same object, type, reason and message within the aggregation window.
actor EventSink {
    struct Key: Hashable {
        var involved: InvolvedObject
        var type: String
        var reason: String
        var message: String
    }

    struct Sent {
        var namespace: String
        var name: String
        var count: Int
        var lastSeen: ContinuousClock.Instant
    }

    let client: ClusterClient
    let component: String
    let host: String?
    let logger: Logger
    private var sent: [Key: Sent] = [:]
    /// Entries beyond this are pruned (oldest first) so the cache stays bounded.
    static let cacheLimit = 4096

    init(client: ClusterClient, component: String, host: String?, logger: Logger) {
        self.client = client
        self.component = component
        self.host = host
        self.logger = logger
    }

    func send(_ event: PendingEvent) async {
        // Objects without a namespace (nodes, namespaces) have their events in `default`.
        let namespace = event.involved.namespace ?? "default"
        let key = Key(involved: event.involved, type: event.type.rawValue, reason: event.reason, message: event.message)
        let now = ContinuousClock.now
        let timestamp = APITime.time(event.time)
        if let previous = sent[key], now - previous.lastSeen < EventRecorder.aggregationWindow {
            let count = previous.count + 1
            do {
                _ = try await client.patch(.events, namespace: previous.namespace, name: previous.name, type: .merge,
                                           ["count": .int(Int64(count)), "lastTimestamp": .string(timestamp)])
                sent[key] = Sent(namespace: previous.namespace, name: previous.name, count: count, lastSeen: now)
                return
            } catch let error as ClientError where error.isNotFound {
                // The event expired or was deleted: record a new one.
            } catch {
                logger.warning("could not update event", metadata: ["reason": "\(event.reason)", "error": "\(error)"])
                return
            }
        }
        var name = Self.eventName(objectName: event.involved.name, time: event.time)
        var source: JSONValue = ["component": .string(component)]
        if let host { source["host"] = .string(host) }
        var object: JSONValue = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "involvedObject": event.involved.json,
            "reason": .string(event.reason),
            "message": .string(event.message),
            "type": .string(event.type.rawValue),
            "source": source,
            "firstTimestamp": .string(timestamp),
            "lastTimestamp": .string(timestamp),
            "count": 1,
            "reportingComponent": .string(component),
            "reportingInstance": .string(host ?? ""),
        ]
        for attempt in 1...3 {
            do {
                _ = try await client.create(.events, namespace: namespace, object)
                remember(key, Sent(namespace: namespace, name: name, count: 1, lastSeen: now))
                return
            } catch let error as ClientError where error.isAlreadyExists && attempt < 3 {
                // Two events for one object in the same instant: take a later name.
                name = Self.eventName(objectName: event.involved.name,
                                      time: event.time.addingTimeInterval(Double(attempt) * 0.000_001 + Double.random(in: 0..<0.000_001)))
                object["metadata"]?["name"] = .string(name)
            } catch {
                logger.warning("could not record event", metadata: ["reason": "\(event.reason)", "error": "\(error)"])
                return
            }
        }
    }

    private func remember(_ key: Key, _ value: Sent) {
        sent[key] = value
        guard sent.count > Self.cacheLimit else { return }
        let cutoff = ContinuousClock.now - EventRecorder.aggregationWindow
        sent = sent.filter { $0.value.lastSeen > cutoff }
        if sent.count > Self.cacheLimit {
            let oldest = sent.sorted { $0.value.lastSeen < $1.value.lastSeen }.prefix(sent.count - Self.cacheLimit / 2)
            for entry in oldest { sent[entry.key] = nil }
        }
    }

    /// `<objectName>.<16 hex digits of the time in nanoseconds>`, as Kubernetes names events.
    static func eventName(objectName: String, time: Date) -> String {
        let nanoseconds = UInt64(max(0, time.timeIntervalSince1970 * 1_000_000_000))
        let hex = String(nanoseconds, radix: 16)
        return objectName + "." + String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }
}
