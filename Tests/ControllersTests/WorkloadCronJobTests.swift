import APIModel
import ClusterClient
import ClusterTestSupport
import Controllers
import Foundation
import Testing

/// CronJobs against a real apiserver: the controller's clock runs a little over a minute
/// ahead, so an every-minute schedule is due as soon as the CronJob exists.
@Suite(.serialized) struct WorkloadCronJobTests {
    @Test func createsJobsOnScheduleAndTracksThem() async throws {
        try await withTestCluster { cluster in
            let client = cluster.client
            let ns = "cron"
            try await WorkloadFixtures.namespace(client, ns)
            let hollow = HollowNodes(client: client, namespace: ns, readyAfter: .milliseconds(200)) { _ in .succeeded }
            try await withWorkloadControllers(cluster, {
                [CronJobController(context: $0, now: { Date().addingTimeInterval(65) }), JobController(context: $0)]
            }) {
                try await withHollowNodes(hollow) {
                    let cronJob = try await client.create(.cronJobs, [
                        "apiVersion": "batch/v1", "kind": "CronJob", "metadata": ["name": "tick", "namespace": .string(ns)],
                        "spec": ["schedule": "* * * * *", "concurrencyPolicy": "Forbid",
                                 "jobTemplate": ["metadata": ["labels": ["team": "ops"]], "spec": ["template": [
                                     "metadata": ["labels": ["app": "tick"]],
                                     "spec": ["restartPolicy": "Never", "containers": [["name": "main", "image": "registry.local/task:1"]]]]]]]])
                    let job = try await eventually("the scheduled job") { () -> JSONValue? in
                        try await client.listAll(.jobs, namespace: ns).items.first
                    }
                    #expect(job.controllerReference?.uid == cronJob.uid)
                    #expect(job.labels["team"] == "ops")
                    let minutes = try #require(Int(job.name.dropFirst("tick-".count)))
                    let scheduled = Date(timeIntervalSince1970: TimeInterval(minutes * 60))
                    #expect(abs(scheduled.timeIntervalSinceNow - 65) < 130, "named by its scheduled minute")
                    #expect(job.annotations["batch.kubernetes.io/cronjob-scheduled-timestamp"] != nil)

                    let tracked = try await eventually("lastScheduleTime and lastSuccessfulTime") { () -> JSONValue? in
                        let current = try await client.get(.cronJobs, namespace: ns, name: "tick")
                        let status = current["status"] ?? .emptyObject
                        return status["lastScheduleTime"] != nil && status["lastSuccessfulTime"] != nil && status["active"] == nil ? Optional(current) : JSONValue?.none
                    }
                    #expect(tracked["status"]?["lastScheduleTime"]?.stringValue.flatMap(Date.fromRFC3339) == scheduled)
                }
            }
        }
    }
}
