import APIModel
import ClusterClient
import ClusterTestSupport
import Controllers
import Foundation
import Logging
import Testing

/// Runs the controller manager with `controllers` against `cluster` while `body` runs.
func withInfraControllers<T: Sendable>(
    _ cluster: TestCluster, controllers: Set<String>,
    options: ControllerManagerOptions = ControllerManagerOptions(),
    _ body: @Sendable () async throws -> T
) async throws -> T {
    var logger = Logger(label: "skiff.controllers.test")
    logger.logLevel = ProcessInfo.processInfo.environment["INFRA_DEBUG"] != nil ? .debug : .warning
    let client = try cluster.makeClient(userAgent: "kube-controller-manager")
    var options = options
    options.enabledControllers = controllers
    let informers = InformerFactory(client: client, logger: logger)
    let manager = ControllerManager(client: client, informers: informers, options: options, logger: logger)
    let task = Task { await manager.run() }
    do {
        let result = try await body()
        task.cancel()
        await task.value
        try? await client.shutdown()
        return result
    } catch {
        task.cancel()
        await task.value
        try? await client.shutdown()
        throw error
    }
}

struct TimedOut: Error, CustomStringConvertible {
    let description: String
}

/// Polls `condition` every 100 ms until it holds; throws after `timeout` with `what`.
func eventually(_ what: String, timeout: Duration = .seconds(30),
                _ condition: @Sendable () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    var lastError: (any Error)?
    while ContinuousClock.now < deadline {
        do {
            if try await condition() { return }
        } catch {
            lastError = error
        }
        try await Task.sleep(for: .milliseconds(100))
    }
    throw TimedOut(description: "timed out waiting for \(what)" + (lastError.map { " (last error: \($0))" } ?? ""))
}

/// Whether `resource/name` is gone.
func isGone(_ client: ClusterClient, _ resource: ResourceRef, namespace: String? = nil, name: String) async throws -> Bool {
    do {
        _ = try await client.get(resource, namespace: namespace, name: name)
        return false
    } catch let error as ClientError where error.isNotFound {
        return true
    }
}

enum InfraFixtures {
    static func namespace(_ name: String) -> JSONValue {
        ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]]
    }

    static func pod(_ name: String, namespace: String, labels: JSONValue = ["app": "web"], owner: JSONValue? = nil,
                    finalizers: [String] = []) -> JSONValue {
        var pod: JSONValue = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": labels],
            "spec": ["containers": [["name": "app", "image": "busybox", "ports": [["name": "http", "containerPort": 8080]]]]],
        ]
        if let owner { pod["metadata"]?["ownerReferences"] = [owner] }
        if !finalizers.isEmpty { pod["metadata"]?["finalizers"] = .array(finalizers.map { .string($0) }) }
        return pod
    }

    static func replicaSet(_ name: String, namespace: String, replicas: Int64, labels: JSONValue = ["app": "web"],
                           tolerations: [JSONValue] = []) -> JSONValue {
        var template: JSONValue = [
            "metadata": ["labels": labels],
            "spec": ["containers": [["name": "app", "image": "busybox"]]],
        ]
        if !tolerations.isEmpty { template["spec"]?["tolerations"] = .array(tolerations) }
        return [
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": ["name": .string(name), "namespace": .string(namespace)],
            "spec": ["replicas": .int(replicas), "selector": ["matchLabels": labels], "template": template],
        ]
    }

    static func ownerReference(_ owner: JSONValue, kind: String, apiVersion: String, block: Bool = true) -> JSONValue {
        ["apiVersion": .string(apiVersion), "kind": .string(kind), "name": .string(owner.name), "uid": .string(owner.uid),
         "controller": true, "blockOwnerDeletion": .bool(block)]
    }

    /// Gives a pod an IP, the Running phase and a Ready condition (what a kubelet would report).
    static func setPodStatus(_ client: ClusterClient, namespace: String, name: String, ip: String, ready: Bool) async throws {
        for _ in 0..<5 {
            var pod = try await client.get(.pods, namespace: namespace, name: name)
            pod["status"] = [
                "phase": "Running", "podIP": .string(ip), "podIPs": [["ip": .string(ip)]],
                "conditions": [["type": "Ready", "status": .string(ready ? "True" : "False")]],
            ]
            do {
                _ = try await client.update(.pods, pod, subresource: "status")
                return
            } catch let error as ClientError where error.isConflict {
                continue
            }
        }
    }
}
