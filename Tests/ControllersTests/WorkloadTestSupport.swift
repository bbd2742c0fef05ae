import APIModel
import ClusterClient
import ClusterTestSupport
import Controllers
import Foundation
import Logging
import Testing

/// Runs `controllers` (built on one InformerFactory, as the controller manager does) against
/// the test cluster while `body` runs, then stops them.
func withWorkloadControllers(_ cluster: TestCluster,
                             _ make: @Sendable (ControllerContext) -> [any Controller],
                             body: @Sendable () async throws -> Void) async throws {
    let informers = InformerFactory(client: cluster.client)
    var logger = Logger(label: "workload-test")
    logger.logLevel = .notice
    let context = ControllerContext(client: cluster.client, informers: informers, options: ControllerManagerOptions(), logger: logger)
    let controllers = make(context)
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await informers.run() }
        for controller in controllers {
            group.addTask { await controller.run(workers: 2) }
        }
        do {
            try await body()
        } catch {
            group.cancelAll()
            throw error
        }
        group.cancelAll()
    }
}

/// Polls `condition` until it holds or `timeout` passes (then records a failure naming
/// `what`). Generous timeouts: the tests assert behaviour, not speed.
@discardableResult
func eventually<T: Sendable>(_ what: String, timeout: Duration = .seconds(60),
                             _ condition: @Sendable () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    var lastError: (any Error)?
    while ContinuousClock.now < deadline {
        do {
            if let value = try await condition() { return value }
        } catch {
            lastError = error
        }
        try await Task.sleep(for: .milliseconds(100))
    }
    Issue.record("timed out waiting for \(what)\(lastError.map { " (last error: \($0))" } ?? "")")
    throw WorkloadTestTimeout(what: what)
}

struct WorkloadTestTimeout: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}

/// What a hollow node does with a pod it sees.
enum HollowOutcome: Sendable {
    /// Running with Ready=True (after `readyAfter` from first sight).
    case runningAndReady
    case failed
    case succeeded
}

/// Plays the nodes of the cluster through the real API, as kubemark's hollow nodes do:
/// there is no kubelet or scheduler in these tests, so pods are given a status here (Running
/// and Ready, Failed or Succeeded) by a status update, like a kubelet would write it.
final class HollowNodes: Sendable {
    let client: ClusterClient
    let namespace: String
    let readyAfter: Duration
    let outcome: @Sendable (JSONValue) -> HollowOutcome?

    init(client: ClusterClient, namespace: String, readyAfter: Duration = .milliseconds(300),
         outcome: @escaping @Sendable (JSONValue) -> HollowOutcome? = { _ in .runningAndReady }) {
        self.client = client
        self.namespace = namespace
        self.readyAfter = readyAfter
        self.outcome = outcome
    }

    /// Runs until cancelled.
    func run() async {
        var firstSeen: [String: ContinuousClock.Instant] = [:]
        while !Task.isCancelled {
            if let pods = try? await client.listAll(.pods, namespace: namespace).items {
                for pod in pods where !pod.isBeingDeleted {
                    let seen = firstSeen[pod.uid] ?? .now
                    firstSeen[pod.uid] = seen
                    guard ContinuousClock.now - seen >= readyAfter, let outcome = outcome(pod) else { continue }
                    if let updated = Self.status(pod, outcome) {
                        _ = try? await client.update(.pods, updated, subresource: "status")
                    }
                }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    /// The pod with the outcome's status, nil when it already has it.
    static func status(_ pod: JSONValue, _ outcome: HollowOutcome) -> JSONValue? {
        let now = JSONValue.string(Date().formatted(Date.ISO8601FormatStyle()))
        let phase: String
        let ready: Bool
        let state: JSONValue
        switch outcome {
        case .runningAndReady:
            phase = "Running"; ready = true; state = ["running": ["startedAt": now]]
        case .failed:
            phase = "Failed"; ready = false; state = ["terminated": ["exitCode": 1, "reason": "Error", "finishedAt": now]]
        case .succeeded:
            phase = "Succeeded"; ready = false; state = ["terminated": ["exitCode": 0, "reason": "Completed", "finishedAt": now]]
        }
        if pod["status"]?["phase"]?.stringValue == phase { return nil }
        let containers = pod["spec"]?["containers"]?.arrayValue ?? []
        var updated = pod
        updated["status"] = [
            "phase": .string(phase),
            "conditions": [
                ["type": "PodScheduled", "status": "True", "lastTransitionTime": now],
                ["type": "Ready", "status": ready ? "True" : "False", "lastTransitionTime": now],
                ["type": "ContainersReady", "status": ready ? "True" : "False", "lastTransitionTime": now],
            ],
            "containerStatuses": .array(containers.map { container in
                ["name": container["name"] ?? "c", "image": container["image"] ?? "", "imageID": "",
                 "ready": .bool(ready), "restartCount": 0, "started": .bool(ready), "state": state]
            }),
            "startTime": now,
        ]
        return updated
    }
}

/// Runs `hollow` beside `body`.
func withHollowNodes(_ hollow: HollowNodes, body: @Sendable () async throws -> Void) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await hollow.run() }
        do {
            try await body()
        } catch {
            group.cancelAll()
            throw error
        }
        group.cancelAll()
    }
}

enum WorkloadFixtures {
    static func namespace(_ client: ClusterClient, _ name: String) async throws {
        do {
            _ = try await client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]])
        } catch let error as ClientError where error.isAlreadyExists {}
    }

    static func podTemplate(app: String, image: String = "registry.local/web:1") -> JSONValue {
        ["metadata": ["labels": ["app": .string(app)]],
         "spec": ["containers": [["name": "main", "image": .string(image)]]]]
    }

    static func pods(_ client: ClusterClient, _ namespace: String, app: String) async throws -> [JSONValue] {
        try await client.listAll(.pods, namespace: namespace, options: ListOptions(labelSelector: "app=\(app)")).items
            .filter { !$0.isBeingDeleted }
    }
}
