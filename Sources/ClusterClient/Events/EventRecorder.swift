import APIModel
import Logging

/// Records Kubernetes Events (`v1` core events, as `kubectl describe` and `kubectl get
/// events` show them) about objects: the same reason and message for the same object within
/// a few minutes bumps `count` and `lastTimestamp` of one event instead of creating another.
/// Recording never blocks or fails the caller: events are sent in the background and
/// dropped (with a log line) if the apiserver refuses them.
public final class EventRecorder: Sendable {
    public enum EventType: String, Sendable { case normal = "Normal", warning = "Warning" }

    /// `component` is the event source (`default-scheduler`, `deployment-controller`, `kubelet`).
    public init(client: ClusterClient, component: String, host: String? = nil, logger: Logger? = nil) {}

    /// An event about `object` (its kind, name, namespace, uid and resourceVersion are the
    /// involvedObject).
    public func record(_ object: JSONValue, type: EventType, reason: String, message: String) {}

    /// Waits until events recorded so far are sent (tests, shutdown).
    public func flush() async {}
}
