import APIModel
import ClusterClient
import ClusterTestSupport
import Controllers
import Foundation
import Testing

/// Jobs against a real apiserver, hollow nodes deciding how pods end: retries up to
/// backoffLimit then Failed, completions reached then Complete, and TTL deletion.
@Suite(.serialized) struct WorkloadJobTests {
    static func job(_ ns: String, name: String, spec: JSONValue) -> JSONValue {
        var jobSpec = spec
        jobSpec["template"] = ["metadata": ["labels": ["app": .string(name)]],
                               "spec": ["restartPolicy": "Never", "containers": [["name": "main", "image": "registry.local/task:1"]]]]
        return ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": .string(name), "namespace": .string(ns)], "spec": jobSpec]
    }

    static func condition(_ job: JSONValue, _ type: String) -> JSONValue? {
        job["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type && $0["status"] == "True" }
    }

    @Test func retriesUpToBackoffLimitThenFails() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            let ns = "job-backoff"
            try await WorkloadFixtures.namespace(client, ns)
            let hollow = HollowNodes(client: client, namespace: ns, readyAfter: .milliseconds(100)) { _ in .failed }
            try await withWorkloadControllers(cluster, {
                [JobController(context: $0, podFailureBackoff: .milliseconds(300), maximumBackoff: .seconds(2))]
            }) {
                try await withHollowNodes(hollow) {
                    _ = try await client.create(.jobs, Self.job(ns, name: "flaky", spec: ["backoffLimit": 2]))
                    let failed = try await eventually("the Failed condition") { () -> JSONValue? in
                        let job = try await client.get(.jobs, namespace: ns, name: "flaky")
                        return Self.condition(job, "Failed") != nil ? Optional(job) : JSONValue?.none
                    }
                    #expect(Self.condition(failed, "Failed")?["reason"] == "BackoffLimitExceeded")
                    #expect(failed["status"]?["failed"]?.intValue == 3)
                    // No replacement after the limit.
                    try await Task.sleep(for: .seconds(1))
                    let pods = try await WorkloadFixtures.pods(client, ns, app: "flaky")
                    #expect(pods.count == 3, "backoffLimit 2 means 3 attempts")
                    let pod = try #require(pods.first)
                    #expect(pod.labels["batch.kubernetes.io/job-name"] == "flaky")
                    #expect(pod.labels["job-name"] == "flaky")
                    #expect(pod.labels["batch.kubernetes.io/controller-uid"] == failed.uid)
                    #expect(pod.labels["controller-uid"] == failed.uid)
                    let created = pods.compactMap { Date.fromRFC3339($0.creationTimestamp) }.sorted()
                    #expect(created.count == 3)
                }
            }
        }
    }

    @Test func completesAfterCompletionsAndIsDeletedAfterItsTTL() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            let ns = "job-complete"
            try await WorkloadFixtures.namespace(client, ns)
            let hollow = HollowNodes(client: client, namespace: ns, readyAfter: .milliseconds(100)) { _ in .succeeded }
            try await withWorkloadControllers(cluster, { [JobController(context: $0), TTLAfterFinishedController(context: $0)] }) {
                try await withHollowNodes(hollow) {
                    _ = try await client.create(.jobs, Self.job(ns, name: "batch", spec: [
                        "completions": 3, "parallelism": 2, "ttlSecondsAfterFinished": 2]))
                    let done = try await eventually("the Complete condition") { () -> JSONValue? in
                        let job = try await client.get(.jobs, namespace: ns, name: "batch")
                        return Self.condition(job, "Complete") != nil ? Optional(job) : JSONValue?.none
                    }
                    #expect(done["status"]?["succeeded"]?.intValue == 3)
                    #expect(done["status"]?["startTime"]?.stringValue != nil)
                    #expect(done["status"]?["completionTime"]?.stringValue != nil)
                    #expect(try await WorkloadFixtures.pods(client, ns, app: "batch").count == 3)
                    try await eventually("the TTL deletion", timeout: .seconds(30)) { () -> Bool? in
                        do {
                            _ = try await client.get(.jobs, namespace: ns, name: "batch")
                            return nil
                        } catch let error as ClientError where error.isNotFound {
                            return true
                        }
                    }
                }
            }
        }
    }
}

extension Date {
    static func fromRFC3339(_ text: String?) -> Date? {
        guard let text else { return nil }
        return try? Date(text, strategy: Date.ISO8601FormatStyle())
    }
}
