import APIModel
import Foundation
import Logging
import Synchronization

/// Records Kubernetes Events (`v1` core events, as `kubectl describe` and `kubectl get
/// events` show them) about objects: the same reason and message for the same object within
/// a few minutes bumps `count` and `lastTimestamp` of one event instead of creating another.
/// Recording never blocks or fails the caller: events are sent in the background and
/// dropped (with a log line) if the apiserver refuses them or the buffer is full.
public final class EventRecorder: Sendable {
    public enum EventType: String, Sendable { case normal = "Normal", warning = "Warning" }

    /// Events waiting to be sent beyond this are dropped: a flood must not grow memory.
    public static let bufferSize = 1000
    /// Within this window a repeat of the same event is counted on the existing one.
    public static let aggregationWindow: Duration = .seconds(600)

    let component: String
    let host: String?
    let logger: Logger
    private let queue: AsyncStream<PendingEvent>.Continuation
    private let progress = EventProgress()

    /// `component` is the event source (`default-scheduler`, `deployment-controller`, `kubelet`).
    public init(client: ClusterClient, component: String, host: String? = nil, logger: Logger? = nil) {
        self.component = component
        self.host = host
        var logger = logger ?? client.logger
        logger[metadataKey: "component"] = "\(component)"
        self.logger = logger
        let (stream, queue) = AsyncStream<PendingEvent>.makeStream()
        self.queue = queue
        let sink = EventSink(client: client, component: component, host: host, logger: logger)
        let progress = self.progress
        // Ends when the recorder goes away (its deinit finishes the stream).
        Task {
            for await event in stream {
                await sink.send(event)
                progress.markProcessed()
            }
        }
    }

    deinit {
        queue.finish()
    }

    /// An event about `object` (its kind, name, namespace, uid and resourceVersion are the
    /// involvedObject).
    public func record(_ object: JSONValue, type: EventType, reason: String, message: String) {
        let event = PendingEvent(involved: InvolvedObject(object), type: type, reason: reason, message: message, time: Date())
        let accepted = progress.reserve(limit: Self.bufferSize)
        guard accepted else {
            logger.warning("event buffer full; dropping event", metadata: ["reason": "\(reason)", "object": "\(object.key)"])
            return
        }
        queue.yield(event)
    }

    /// Waits until events recorded so far are sent (tests, shutdown).
    public func flush() async {
        await progress.waitForProcessed()
    }
}

/// The counters `flush` waits on, shared between the recorder and its sending task.
final class EventProgress: Sendable {
    struct State {
        var enqueued = 0
        var processed = 0
        var waiters: [(target: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    let state = Mutex(State())

    /// Counts one more event in flight unless `limit` are already pending.
    func reserve(limit: Int) -> Bool {
        state.withLock { state in
            guard state.enqueued - state.processed < limit else { return false }
            state.enqueued += 1
            return true
        }
    }

    func markProcessed() {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.processed += 1
            let processed = state.processed
            let ready = state.waiters.filter { $0.target <= processed }.map(\.continuation)
            state.waiters.removeAll { $0.target <= processed }
            return ready
        }
        for waiter in ready { waiter.resume() }
    }

    func waitForProcessed() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                if state.processed >= state.enqueued { return true }
                state.waiters.append((state.enqueued, continuation))
                return false
            }
            if done { continuation.resume() }
        }
    }
}

/// What an event says about its object (`involvedObject`).
struct InvolvedObject: Sendable, Hashable {
    var kind: String
    var apiVersion: String
    var namespace: String?
    var name: String
    var uid: String
    var resourceVersion: String

    init(_ object: JSONValue) {
        kind = object["kind"]?.stringValue ?? ""
        apiVersion = object["apiVersion"]?.stringValue ?? ""
        namespace = object.namespace.flatMap { $0.isEmpty ? nil : $0 }
        name = object.name
        uid = object.uid
        resourceVersion = object.resourceVersion
    }

    var json: JSONValue {
        var value: JSONValue = ["kind": .string(kind), "name": .string(name)]
        if let namespace { value["namespace"] = .string(namespace) }
        if !uid.isEmpty { value["uid"] = .string(uid) }
        if !apiVersion.isEmpty { value["apiVersion"] = .string(apiVersion) }
        if !resourceVersion.isEmpty { value["resourceVersion"] = .string(resourceVersion) }
        return value
    }
}

struct PendingEvent: Sendable {
    var involved: InvolvedObject
    var type: EventRecorder.EventType
    var reason: String
    var message: String
    var time: Date
}
