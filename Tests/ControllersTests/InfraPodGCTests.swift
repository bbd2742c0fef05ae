import APIModel
import ClusterClient
import ClusterTestSupport
import Foundation
import Logging
import Testing
@testable import Controllers

/// Pod GC against a real apiserver, with a short period and quarantine.
@Suite(.serialized, .timeLimit(.minutes(2))) struct InfraPodGCTests {
    @Test func collectsFinishedPodsAboveTheThresholdAndPodsOfDeletedNodes() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            _ = try await client.create(.namespaces, InfraFixtures.namespace("gcpods"))
            _ = try await client.create(.nodes, ["apiVersion": "v1", "kind": "Node", "metadata": ["name": "present"]])
            // Three finished pods (oldest first) and two pods bound to nodes, one of which does not exist.
            for name in ["done-1", "done-2", "done-3"] {
                _ = try await client.create(.pods, InfraFixtures.pod(name, namespace: "gcpods"))
                var pod = try await client.get(.pods, namespace: "gcpods", name: name)
                pod["status"] = ["phase": "Succeeded"]
                _ = try await client.update(.pods, pod, subresource: "status")
                try await Task.sleep(for: .milliseconds(1100))  // distinct creation seconds
            }
            for (name, node) in [("on-present", "present"), ("on-gone", "gone")] {
                var pod = InfraFixtures.pod(name, namespace: "gcpods")
                pod["spec"]?["nodeName"] = .string(node)
                _ = try await client.create(.pods, pod)
            }

            var logger = Logger(label: "skiff.podgc.test")
            logger.logLevel = .warning
            let controllerClient = try cluster.makeClient(userAgent: "pod-gc")
            let informers = InformerFactory(client: controllerClient, logger: logger)
            let context = ControllerContext(client: controllerClient, informers: informers,
                                            options: ControllerManagerOptions(terminatedPodGCThreshold: 1), logger: logger)
            let controller = PodGCController(context: context, period: .milliseconds(200), quarantine: .milliseconds(500))
            let task = Task {
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await informers.run() }
                    group.addTask { await controller.run(workers: 1) }
                }
            }
            defer { task.cancel() }
            try await eventually("the two oldest finished pods and the pod of the missing node to be deleted") {
                let names = Set(try await client.listAll(.pods, namespace: "gcpods").items.map(\.name))
                return names == ["done-3", "on-present"]
            }
            task.cancel()
            await task.value
            try? await controllerClient.shutdown()
        }
    }
}
