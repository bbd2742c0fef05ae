import APIModel
import ClusterClient
import ClusterTestSupport
import Testing

@Suite("EventRecorder against a real apiserver")
struct EventRecorderTests {
    @Test("an event carries its object, source and timestamps; a repeat bumps the count of the same event")
    func recordAndAggregate() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            let pod = try await client.create(.pods, Fixtures.pod("eventful"))
            let recorder = EventRecorder(client: client, component: "test-controller", host: "host-a")
            recorder.record(pod, type: .warning, reason: "FailedThing", message: "it failed")
            await recorder.flush()
            var events = try await client.listAll(.events, namespace: "default").items
            #expect(events.count == 1)
            let event = try #require(events.first)
            #expect(event["involvedObject"]?["kind"] == "Pod")
            #expect(event["involvedObject"]?["name"] == "eventful")
            #expect(event["involvedObject"]?["namespace"] == "default")
            #expect(event["involvedObject"]?["uid"]?.stringValue == pod.uid)
            #expect(event["involvedObject"]?["apiVersion"] == "v1")
            #expect(event["involvedObject"]?["resourceVersion"]?.stringValue == pod.resourceVersion)
            #expect(event["reason"] == "FailedThing")
            #expect(event["message"] == "it failed")
            #expect(event["type"] == "Warning")
            #expect(event["source"]?["component"] == "test-controller")
            #expect(event["source"]?["host"] == "host-a")
            #expect(event["reportingComponent"] == "test-controller")
            #expect(event["count"] == 1)
            #expect(event["firstTimestamp"]?.stringValue?.hasSuffix("Z") == true)
            let name = event.name
            #expect(name.hasPrefix("eventful."))
            let suffix = name.dropFirst("eventful.".count)
            #expect(suffix.count == 16 && suffix.allSatisfy(\.isHexDigit))

            recorder.record(pod, type: .warning, reason: "FailedThing", message: "it failed")
            recorder.record(pod, type: .warning, reason: "FailedThing", message: "it failed")
            recorder.record(pod, type: .normal, reason: "Other", message: "something else")
            await recorder.flush()
            events = try await client.listAll(.events, namespace: "default").items
            #expect(events.count == 2)
            let aggregated = try #require(events.first { $0.name == name })
            #expect(aggregated["count"] == 3)
            #expect(events.contains { $0["reason"] == "Other" && $0["count"] == 1 })

            // kubectl shows them.
            let kubectl = try runProcess("/usr/bin/env", ["kubectl", "--kubeconfig", cluster.kubeconfigPath, "get", "events", "-o", "name"])
            #expect(kubectl.status == 0, "\(kubectl.output)")
            #expect(kubectl.output.contains("event/\(name)"))
        }
    }

    @Test("events about cluster-scoped objects go to the default namespace")
    func clusterScoped() async throws {
        try await withTestCluster { cluster in
            let node = try await cluster.client.create(.nodes, Fixtures.node("evented-node"))
            let recorder = EventRecorder(client: cluster.client, component: "kubelet", host: "evented-node")
            recorder.record(node, type: .normal, reason: "Starting", message: "Starting kubelet.")
            await recorder.flush()
            let events = try await cluster.client.listAll(.events, namespace: "default").items
            #expect(events.contains { $0["involvedObject"]?["kind"] == "Node" && $0["reason"] == "Starting" })
        }
    }
}
