import APIModel
import Foundation
import Testing

@testable import Controllers

/// Fast tests of the workload controllers' pure parts: schedules, rollout arithmetic, pod
/// ranking, hashing, slow start, expectations and node eligibility. The controllers
/// themselves are tested against a real apiserver in the other Workload* suites.
@Suite struct WorkloadCronTests {
    func date(_ text: String) throws -> Date { try #require(Timestamps.parse(text)) }
    let utc = TimeZone(identifier: "UTC")!

    @Test func stepsRangesAndLists() throws {
        let every15 = try CronExpression(parsing: "*/15 * * * *")
        #expect(every15.next(after: try date("2024-05-01T10:07:00Z"), in: utc) == (try date("2024-05-01T10:15:00Z")))
        #expect(every15.next(after: try date("2024-05-01T10:15:00Z"), in: utc) == (try date("2024-05-01T10:30:00Z")))
        let offset = try CronExpression(parsing: "5/20 * * * *")
        #expect(offset.minutes == [5, 25, 45])
        let list = try CronExpression(parsing: "0 1,13 * * *")
        #expect(list.next(after: try date("2024-05-01T02:00:00Z"), in: utc) == (try date("2024-05-01T13:00:00Z")))
    }

    @Test func namesAndWeekdays() throws {
        let weekdays = try CronExpression(parsing: "0 9 * * mon-fri")
        // 2024-05-04 is a Saturday.
        #expect(weekdays.next(after: try date("2024-05-04T12:00:00Z"), in: utc) == (try date("2024-05-06T09:00:00Z")))
        let sundaySeven = try CronExpression(parsing: "0 0 * * 7")
        #expect(sundaySeven.next(after: try date("2024-05-01T00:00:00Z"), in: utc) == (try date("2024-05-05T00:00:00Z")))
        let months = try CronExpression(parsing: "0 0 1 jan,JUL *")
        #expect(months.next(after: try date("2024-02-01T00:00:00Z"), in: utc) == (try date("2024-07-01T00:00:00Z")))
    }

    @Test func dayOfMonthOrDayOfWeekWhenBothRestricted() throws {
        let friday13 = try CronExpression(parsing: "0 0 13 * 5")
        // 2024-05-03 is a Friday: matches by weekday even though it is not the 13th.
        #expect(friday13.next(after: try date("2024-05-01T00:00:00Z"), in: utc) == (try date("2024-05-03T00:00:00Z")))
    }

    @Test func descriptors() throws {
        #expect(try CronExpression(parsing: "@hourly").next(after: try date("2024-05-01T10:07:00Z"), in: utc)
            == (try date("2024-05-01T11:00:00Z")))
        #expect(try CronExpression(parsing: "@daily").next(after: try date("2024-05-01T10:07:00Z"), in: utc)
            == (try date("2024-05-02T00:00:00Z")))
        #expect(try CronExpression(parsing: "@weekly").next(after: try date("2024-05-01T10:07:00Z"), in: utc)
            == (try date("2024-05-05T00:00:00Z")))
        #expect(try CronExpression(parsing: "@monthly").next(after: try date("2024-05-01T10:07:00Z"), in: utc)
            == (try date("2024-06-01T00:00:00Z")))
        #expect(try CronExpression(parsing: "@yearly").next(after: try date("2024-05-01T10:07:00Z"), in: utc)
            == (try date("2025-01-01T00:00:00Z")))
    }

    @Test func timeZones() throws {
        let nineAM = try CronExpression(parsing: "0 9 * * *")
        let newYork = try #require(TimeZone(identifier: "America/New_York"))
        #expect(nineAM.next(after: try date("2024-01-10T00:00:00Z"), in: newYork) == (try date("2024-01-10T14:00:00Z")))
        #expect(nineAM.next(after: try date("2024-07-10T00:00:00Z"), in: newYork) == (try date("2024-07-10T13:00:00Z")))
    }

    @Test func badSchedulesAreRefused() {
        for bad in ["* * * *", "60 * * * *", "* 24 * * *", "5-1 * * * *", "*/0 * * * *", "@sometimes", "TZ=UTC * * * * *", "x * * * *"] {
            #expect(throws: CronExpression.ParseError.self, "\(bad)") { try CronExpression(parsing: bad) }
        }
    }

    @Test func impossibleDateHasNoNextTime() throws {
        #expect(try CronExpression(parsing: "0 0 30 2 *").next(after: try date("2024-01-01T00:00:00Z"), in: utc) == nil)
    }

    @Test func missedTimesAndJobNames() throws {
        let everyMinute = try CronExpression(parsing: "* * * * *")
        let (latest, count) = CronJobController.mostRecentMissed(
            everyMinute, earliest: try date("2024-05-01T10:00:00Z"), now: try date("2024-05-01T10:03:30Z"), timeZone: utc)
        #expect(count == 3)
        #expect(latest == (try date("2024-05-01T10:03:00Z")))
        let (farLatest, farCount) = CronJobController.mostRecentMissed(
            everyMinute, earliest: try date("2024-04-01T10:00:00Z"), now: try date("2024-05-01T10:03:30Z"), timeZone: utc)
        #expect(farCount > CronJobController.missedTimesLimit)
        #expect(farLatest == (try date("2024-05-01T10:03:00Z")))
        let cronJob: JSONValue = ["metadata": ["name": "backup"]]
        #expect(CronJobController.jobName(cronJob, scheduledAt: try date("2024-05-01T10:03:00Z")) == "backup-28575963")
    }
}

@Suite struct WorkloadRolloutArithmeticTests {
    @Test func surgeRoundsUpAndUnavailableRoundsDown() throws {
        let fence = try RolloutArithmetic.fenceposts(replicas: 10, maxSurge: "25%", maxUnavailable: "25%")
        #expect(fence == .init(maxSurge: 3, maxUnavailable: 2))
        let ints = try RolloutArithmetic.fenceposts(replicas: 3, maxSurge: 2, maxUnavailable: 0)
        #expect(ints == .init(maxSurge: 2, maxUnavailable: 0))
        let defaults = try RolloutArithmetic.fenceposts(replicas: 1, maxSurge: nil, maxUnavailable: nil)
        #expect(defaults == .init(maxSurge: 1, maxUnavailable: 0))
        // Both rounding to zero: one pod may still be unavailable, or nothing could move.
        let zero = try RolloutArithmetic.fenceposts(replicas: 1, maxSurge: "0%", maxUnavailable: "10%")
        #expect(zero == .init(maxSurge: 0, maxUnavailable: 1))
        #expect(throws: (any Error).self) { try RolloutArithmetic.fenceposts(replicas: 1, maxSurge: "x%", maxUnavailable: 1) }
    }

    @Test func newReplicaSetGrowsWithinTheSurge() {
        #expect(RolloutArithmetic.newReplicaSetSize(desired: 3, maxSurge: 1, totalCurrent: 3, newCurrent: 0) == 1)
        #expect(RolloutArithmetic.newReplicaSetSize(desired: 3, maxSurge: 1, totalCurrent: 4, newCurrent: 1) == 1)
        #expect(RolloutArithmetic.newReplicaSetSize(desired: 3, maxSurge: 5, totalCurrent: 3, newCurrent: 0) == 3)
        #expect(RolloutArithmetic.newReplicaSetSize(desired: 10, maxSurge: 3, totalCurrent: 10, newCurrent: 0) == 3)
    }

    @Test func oldSetsShrinkWithinMaxUnavailable() {
        // 3 desired, maxUnavailable 1: one old pod may go while the new one is not ready.
        #expect(RolloutArithmetic.oldScaleDown(desired: 3, maxUnavailable: 1, old: [.init(replicas: 3, available: 3)],
                                               new: .init(replicas: 1, available: 0)) == [2])
        // maxUnavailable 0: nothing goes until the new pod is available.
        #expect(RolloutArithmetic.oldScaleDown(desired: 3, maxUnavailable: 0, old: [.init(replicas: 3, available: 3)],
                                               new: .init(replicas: 1, available: 0)) == [3])
        #expect(RolloutArithmetic.oldScaleDown(desired: 3, maxUnavailable: 0, old: [.init(replicas: 3, available: 3)],
                                               new: .init(replicas: 1, available: 1)) == [2])
        // Unavailable old pods go first, without counting against availability.
        #expect(RolloutArithmetic.oldScaleDown(desired: 4, maxUnavailable: 0, old: [.init(replicas: 2, available: 0), .init(replicas: 3, available: 3)],
                                               new: .init(replicas: 1, available: 1)) == [0, 3])
    }

    @Test func proportionalScalingSharesTheChange() {
        // 10 → 15 replicas (surge 0): sets of 6 and 4 grow by their share.
        #expect(RolloutArithmetic.proportional(sizes: [6, 4], previousMax: [10, 10], newMax: 15, toAdd: 5) == [9, 6])
        // 10 → 5: they shrink by their share.
        #expect(RolloutArithmetic.proportional(sizes: [6, 4], previousMax: [10, 10], newMax: 5, toAdd: -5) == [3, 2])
        // Without annotations the leftover goes to the first (largest).
        #expect(RolloutArithmetic.proportional(sizes: [3, 1], previousMax: [nil, nil], newMax: 6, toAdd: 2) == [5, 1])
    }
}

@Suite struct WorkloadSupportTests {
    func pod(_ name: String, node: String? = nil, phase: String = "Running", ready: Bool = false, readySince: String? = nil,
             restarts: Int64 = 0, created: String = "2024-05-01T10:00:00Z") -> JSONValue {
        var pod: JSONValue = ["metadata": ["name": .string(name), "creationTimestamp": .string(created)],
                              "spec": .emptyObject, "status": ["phase": .string(phase)]]
        if let node { pod["spec"]?["nodeName"] = .string(node) }
        var condition: JSONValue = ["type": "Ready", "status": ready ? "True" : "False"]
        if let readySince { condition["lastTransitionTime"] = .string(readySince) }
        pod["status"]?["conditions"] = [condition]
        pod["status"]?["containerStatuses"] = [["name": "c", "restartCount": .int(restarts)]]
        return pod
    }

    @Test func scaleDownRanksCheapestPodsFirst() {
        let pods = [
            pod("ready-old", node: "n", ready: true, readySince: "2024-05-01T10:00:00Z"),
            pod("unassigned", phase: "Pending"),
            pod("pending", node: "n", phase: "Pending"),
            pod("unknown", node: "n", phase: "Unknown"),
            pod("not-ready", node: "n"),
            pod("ready-new", node: "n", ready: true, readySince: "2024-05-01T11:00:00Z"),
            pod("restarted", node: "n", restarts: 3),
            pod("newer", node: "n", created: "2024-05-01T12:00:00Z"),
        ]
        let order = ActivePodRanking.deletionOrder(pods).map(\.name)
        #expect(order == ["unassigned", "pending", "unknown", "restarted", "newer", "not-ready", "ready-new", "ready-old"])
    }

    @Test func templateHashIsStableAndSafe() throws {
        let a: JSONValue = ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [["name": "c", "image": "nginx"]]]]
        let reordered: JSONValue = ["spec": ["containers": [["image": "nginx", "name": "c"]]], "metadata": ["labels": ["app": "web"]]]
        let b: JSONValue = ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [["name": "c", "image": "nginx:2"]]]]
        let hash = TemplateHash.hash(a)
        #expect(hash == TemplateHash.hash(reordered))
        #expect(hash != TemplateHash.hash(b))
        #expect(hash != TemplateHash.hash(a, collisionCount: 1))
        #expect(!hash.isEmpty && hash.allSatisfy { "bcdfghjklmnpqrstvwxz2456789".contains($0) })
    }

    @Test func slowStartDoublesAndStopsAtTheFirstError() async {
        struct Refused: Error {}
        let calls = CallCounter()
        let outcome = await SlowStart.run(count: 20) { index in
            await calls.increment()
            if index >= 3 { throw Refused() }
        }
        // Batches 1, 2, then 4 (all failing): 3 created, 4 failed, 13 never tried.
        #expect(outcome.succeeded == 3)
        #expect(outcome.skipped == 13)
        #expect(outcome.firstError is Refused)
        #expect(await calls.value == 7)
        let all = await SlowStart.run(count: 5) { _ in }
        #expect(all.succeeded == 5 && all.skipped == 0 && all.firstError == nil)
    }

    @Test func expectationsHoldUntilObservedOrExpired() {
        let expectations = ControllerExpectations()
        #expect(expectations.isSatisfied("ns/a"))
        expectations.expectCreations("ns/a", count: 2)
        #expect(!expectations.isSatisfied("ns/a"))
        expectations.creationObserved("ns/a")
        #expect(!expectations.isSatisfied("ns/a"))
        expectations.creationObserved("ns/a")
        #expect(expectations.isSatisfied("ns/a"))
        expectations.expectDeletions("ns/a", uids: ["u1"])
        #expect(!expectations.isSatisfied("ns/a"))
        expectations.deletionObserved("ns/a", uid: "other")
        #expect(!expectations.isSatisfied("ns/a"))
        expectations.deletionObserved("ns/a", uid: "u1")
        #expect(expectations.isSatisfied("ns/a"))
        let expiring = ControllerExpectations(timeout: .zero)
        expiring.expectCreations("ns/b", count: 1)
        #expect(expiring.isSatisfied("ns/b"))
    }

    @Test func podFromTemplateKeepsEveryFieldAndOwnsIt() {
        let template: JSONValue = ["metadata": ["labels": ["app": "web"], "annotations": ["a": "b"]],
                                   "spec": ["containers": [["name": "c", "image": "nginx", "futureField": ["x": 1]]]]]
        let owner: JSONValue = ["metadata": ["name": "web", "namespace": "ns", "uid": "u-1"]]
        let pod = PodControl.pod(from: template, owner: owner, ownerResource: .replicaSets, extraLabels: ["extra": "1"])
        #expect(pod["metadata"]?["generateName"] == "web-")
        #expect(pod["metadata"]?["namespace"] == "ns")
        #expect(pod.labels == ["app": "web", "extra": "1"])
        #expect(pod.annotations == ["a": "b"])
        #expect(pod["spec"] == template["spec"])
        let reference = pod.controllerReference
        #expect(reference?.kind == "ReplicaSet" && reference?.apiVersion == "apps/v1" && reference?.uid == "u-1")
        #expect(reference?.blockOwnerDeletion == true)
    }

    @Test func jobBackoffDoublesUpToTheCap() {
        let delays = (1...8).map { JobFailureBackoff.delay(failures: $0, base: .seconds(10), maximum: .seconds(360)) }
        #expect(delays == [.seconds(10), .seconds(20), .seconds(40), .seconds(80), .seconds(160), .seconds(320), .seconds(360), .seconds(360)])
        #expect(JobFailureBackoff.delay(failures: 0, base: .seconds(10), maximum: .seconds(360)) == .zero)
    }
}

@Suite struct WorkloadNodeEligibilityTests {
    func node(_ name: String, labels: JSONValue = .emptyObject, taints: [JSONValue] = []) -> JSONValue {
        ["metadata": ["name": .string(name), "labels": labels], "spec": ["taints": .array(taints)]]
    }

    @Test func selectorAffinityAndTaints() {
        let spec = NodeEligibility.addingDaemonTolerations(["nodeSelector": ["disk": "ssd"]])
        #expect(NodeEligibility.shouldRun(podSpec: spec, on: node("a", labels: ["disk": "ssd"])))
        #expect(!NodeEligibility.shouldRun(podSpec: spec, on: node("b", labels: ["disk": "hdd"])))
        let tainted = node("c", labels: ["disk": "ssd"], taints: [["key": "dedicated", "value": "db", "effect": "NoSchedule"]])
        #expect(!NodeEligibility.shouldRun(podSpec: spec, on: tainted))
        var tolerating = spec
        tolerating["tolerations"] = .array((spec["tolerations"]?.arrayValue ?? []) + [["key": "dedicated", "operator": "Equal", "value": "db"]])
        #expect(NodeEligibility.shouldRun(podSpec: tolerating, on: tainted))
        // PreferNoSchedule does not keep a daemon off; node conditions are tolerated.
        let soft = node("d", labels: ["disk": "ssd"], taints: [
            ["key": "x", "effect": "PreferNoSchedule"], ["key": "node.kubernetes.io/not-ready", "effect": "NoExecute"],
            ["key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"]])
        #expect(NodeEligibility.shouldRun(podSpec: spec, on: soft))
        let affinity: JSONValue = ["affinity": ["nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": [
            "nodeSelectorTerms": [["matchExpressions": [["key": "zone", "operator": "In", "values": ["z1", "z2"]]]]]]]]]
        #expect(NodeEligibility.shouldRun(podSpec: affinity, on: node("e", labels: ["zone": "z2"])))
        #expect(!NodeEligibility.shouldRun(podSpec: affinity, on: node("f", labels: ["zone": "z3"])))
    }

    @Test func pinningNamesTheNode() {
        let pinned = NodeEligibility.pinning(["containers": []], to: "node-7")
        #expect(NodeEligibility.targetNode(of: ["spec": pinned]) == "node-7")
        #expect(NodeEligibility.affinityMatches(pinned, ["metadata": ["name": "node-7"]]))
        #expect(!NodeEligibility.affinityMatches(pinned, ["metadata": ["name": "node-8"]]))
    }
}

actor CallCounter {
    private(set) var value = 0
    func increment() { value += 1 }
}
