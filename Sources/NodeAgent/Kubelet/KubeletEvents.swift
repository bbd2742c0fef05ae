import APIModel
import ClusterClient
import Foundation
import Logging
import Synchronization

/// Writes the kubelet's events (`Pulling`, `Started`, `BackOff`, `Unhealthy`, …) as core/v1
/// Events with source component `kubelet` and the node as host. Fire and forget: an event
/// that cannot be written is logged, never retried, and never blocks a pod worker.
final class KubeletEvents: Sendable {
    enum EventType: String, Sendable { case normal = "Normal", warning = "Warning" }

    let client: ClusterClient
    let host: String
    let logger: Logger
    private let counter = Mutex<UInt64>(0)

    init(client: ClusterClient, host: String, logger: Logger) {
        self.client = client
        self.host = host
        self.logger = logger
    }

    func record(_ object: JSONValue, type: EventType, reason: String, message: String) {
        let sequence = counter.withLock { value -> UInt64 in
            value += 1
            return value
        }
        let now = PodStatusBuilder.timestamp()
        let namespace = object.namespace ?? "default"
        let kind = object["kind"]?.stringValue ?? "Pod"
        let name = "\(object.name).\(String(UInt64(Date().timeIntervalSince1970 * 1_000_000), radix: 16))\(sequence)"
        let event: JSONValue = [
            "apiVersion": "v1", "kind": "Event",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "involvedObject": ["apiVersion": .string(object["apiVersion"]?.stringValue ?? "v1"), "kind": .string(kind),
                               "name": .string(object.name), "namespace": .string(namespace), "uid": .string(object.uid)],
            "reason": .string(reason), "message": .string(message), "type": .string(type.rawValue),
            "source": ["component": "kubelet", "host": .string(host)],
            "firstTimestamp": .string(now), "lastTimestamp": .string(now), "count": 1,
            "reportingComponent": "kubelet", "reportingInstance": .string(host),
        ]
        let client = self.client
        let logger = self.logger
        Task {
            do {
                _ = try await client.create(.events, namespace: namespace, event)
            } catch {
                logger.debug("writing event \(reason): \(error)")
            }
        }
    }
}
