import Foundation
import Testing

@testable import APIModel

/// kubectl's READY / STATUS / RESTARTS for pods in every state a user meets.
@Suite struct TablePodTests {
    static func pod(containers: [String] = ["app"], initContainers: [JSONValue] = [], phase: String = "Running",
                    statuses: [JSONValue] = [], initStatuses: [JSONValue] = [], conditions: [JSONValue] = [],
                    deleted: Bool = false, reason: String? = nil) -> JSONValue {
        var pod: JSONValue = [
            "metadata": ["name": "web-1", "namespace": "default", "creationTimestamp": TableClock.ago(3600)],
            "spec": ["containers": .array(containers.map { ["name": .string($0), "image": "nginx"] }),
                     "nodeName": "node-a"],
            "status": ["phase": .string(phase), "podIP": "10.1.0.7", "podIPs": [["ip": "10.1.0.7"]]],
        ]
        if !initContainers.isEmpty { pod["spec"]?["initContainers"] = .array(initContainers) }
        if !statuses.isEmpty { pod["status"]?["containerStatuses"] = .array(statuses) }
        if !initStatuses.isEmpty { pod["status"]?["initContainerStatuses"] = .array(initStatuses) }
        if !conditions.isEmpty { pod["status"]?["conditions"] = .array(conditions) }
        if let reason { pod["status"]?["reason"] = .string(reason) }
        if deleted { pod["metadata"]?["deletionTimestamp"] = TableClock.ago(10) }
        return pod
    }

    static func running(_ name: String = "app", ready: Bool = true, restarts: Int64 = 0) -> JSONValue {
        ["name": .string(name), "ready": .bool(ready), "restartCount": .int(restarts),
         "state": ["running": ["startedAt": TableClock.ago(600)]]]
    }

    static func waiting(_ reason: String, name: String = "app", restarts: Int64 = 0, lastFinished: Double? = nil) -> JSONValue {
        var s: JSONValue = ["name": .string(name), "ready": false, "restartCount": .int(restarts),
                            "state": ["waiting": ["reason": .string(reason)]]]
        if let lastFinished { s["lastState"] = ["terminated": ["exitCode": 1, "finishedAt": TableClock.ago(lastFinished)]] }
        return s
    }

    static func terminated(_ name: String = "app", reason: String?, exitCode: Int64, signal: Int64 = 0) -> JSONValue {
        var t: JSONValue = ["exitCode": .int(exitCode)]
        if let reason { t["reason"] = .string(reason) }
        if signal != 0 { t["signal"] = .int(signal) }
        return ["name": .string(name), "ready": false, "restartCount": 0, "state": ["terminated": t]]
    }

    static func summary(_ pod: JSONValue) -> [String] {
        let cells = TableClock.cells("", "Pod", pod)
        return cells[1...3].map { $0.stringValue ?? "?" }
    }

    static let readyCondition: JSONValue = ["type": "Ready", "status": "True"]

    @Test func columnsAreKubectls() {
        let columns = TableConvertor.columnDefinitions(for: TableClock.resource("", "Pod"))
        #expect(columns.compactMap { $0["name"]?.stringValue } ==
            ["Name", "Ready", "Status", "Restarts", "Age", "IP", "Node", "Nominated Node", "Readiness Gates"])
        #expect(columns.compactMap { $0["priority"]?.intValue } == [0, 0, 0, 0, 0, 1, 1, 1, 1])
        #expect(columns[0]["format"] == "name")
    }

    @Test func runningPodFullRow() {
        let cells = TableClock.cells("", "Pod", Self.pod(statuses: [Self.running()], conditions: [Self.readyCondition]))
        #expect(cells == ["web-1", "1/1", "Running", "0", "60m", "10.1.0.7", "node-a", "<none>", "<none>"])
    }

    @Test func pendingAndCreating() {
        #expect(Self.summary(Self.pod(phase: "Pending")) == ["0/1", "Pending", "0"])
        #expect(Self.summary(Self.pod(phase: "Pending", statuses: [Self.waiting("ContainerCreating")])) ==
            ["0/1", "ContainerCreating", "0"])
        #expect(Self.summary(Self.pod(phase: "Pending", statuses: [Self.waiting("ImagePullBackOff")])) ==
            ["0/1", "ImagePullBackOff", "0"])
    }

    @Test func crashLoopShowsRestartsAndWhenTheLastOneHappened() {
        let pod = Self.pod(statuses: [Self.waiting("CrashLoopBackOff", restarts: 5, lastFinished: 300)])
        #expect(Self.summary(pod) == ["0/1", "CrashLoopBackOff", "5 (5m ago)"])
        let older = Self.pod(statuses: [Self.waiting("CrashLoopBackOff", restarts: 12, lastFinished: 3 * 86400 + 7200)])
        #expect(Self.summary(older)[2] == "12 (3d2h ago)")
    }

    @Test func finishedContainers() {
        #expect(Self.summary(Self.pod(phase: "Succeeded", statuses: [Self.terminated(reason: "Completed", exitCode: 0)])) ==
            ["0/1", "Completed", "0"])
        #expect(Self.summary(Self.pod(phase: "Failed", statuses: [Self.terminated(reason: "Error", exitCode: 1)]))[1] == "Error")
        #expect(Self.summary(Self.pod(phase: "Failed", statuses: [Self.terminated(reason: nil, exitCode: 2)]))[1] == "ExitCode:2")
        #expect(Self.summary(Self.pod(phase: "Failed", statuses: [Self.terminated(reason: nil, exitCode: 137, signal: 9)]))[1] ==
            "Signal:9")
        #expect(Self.summary(Self.pod(phase: "Failed", statuses: [Self.terminated(reason: "OOMKilled", exitCode: 137)]))[1] ==
            "OOMKilled")
    }

    @Test func completedWithAnotherContainerRunning() {
        let statuses = [Self.running("a"), Self.terminated("b", reason: "Completed", exitCode: 0)]
        let notReady = Self.pod(containers: ["a", "b"], statuses: statuses)
        #expect(Self.summary(notReady) == ["1/2", "NotReady", "0"])
        let ready = Self.pod(containers: ["a", "b"], statuses: statuses, conditions: [Self.readyCondition])
        #expect(Self.summary(ready) == ["1/2", "Running", "0"])
    }

    @Test func terminatingAndNodeLost() {
        #expect(Self.summary(Self.pod(statuses: [Self.running()], deleted: true))[1] == "Terminating")
        #expect(Self.summary(Self.pod(phase: "Succeeded", statuses: [Self.terminated(reason: "Completed", exitCode: 0)],
                                      deleted: true))[1] == "Completed")
        #expect(Self.summary(Self.pod(statuses: [Self.running()], deleted: true, reason: "NodeLost"))[1] == "Unknown")
        #expect(Self.summary(Self.pod(phase: "Failed", reason: "Evicted"))[1] == "Evicted")
    }

    @Test func initContainers() {
        let inits: [JSONValue] = [["name": "init-a", "image": "busybox"], ["name": "init-b", "image": "busybox"]]
        let first = Self.pod(initContainers: inits, phase: "Pending",
                             initStatuses: [Self.running("init-a", ready: false), Self.waiting("PodInitializing", name: "init-b")])
        #expect(Self.summary(first) == ["0/1", "Init:0/2", "0"])
        let second = Self.pod(initContainers: inits, phase: "Pending",
                              initStatuses: [Self.terminated("init-a", reason: "Completed", exitCode: 0),
                                             Self.waiting("PodInitializing", name: "init-b")])
        #expect(Self.summary(second)[1] == "Init:1/2")
        let crashing = Self.pod(initContainers: inits, phase: "Pending",
                                initStatuses: [Self.waiting("CrashLoopBackOff", name: "init-a", restarts: 3, lastFinished: 30)])
        #expect(Self.summary(crashing) == ["0/1", "Init:CrashLoopBackOff", "3 (30s ago)"])
        let failed = Self.pod(initContainers: inits, phase: "Failed",
                              initStatuses: [Self.terminated("init-a", reason: "Error", exitCode: 1)])
        #expect(Self.summary(failed)[1] == "Init:Error")
        let exitCode = Self.pod(initContainers: inits, phase: "Failed",
                                initStatuses: [Self.terminated("init-a", reason: nil, exitCode: 3)])
        #expect(Self.summary(exitCode)[1] == "Init:ExitCode:3")
    }

    @Test func sidecarInitContainersCountAsContainers() {
        let sidecar: JSONValue = ["name": "proxy", "image": "envoy", "restartPolicy": "Always"]
        var started = Self.running("proxy", restarts: 2)
        started["started"] = true
        started["lastState"] = ["terminated": ["exitCode": 1, "finishedAt": TableClock.ago(120)]]
        let pod = Self.pod(initContainers: [sidecar], statuses: [Self.running()], initStatuses: [started],
                           conditions: [["type": "Initialized", "status": "True"], Self.readyCondition])
        #expect(Self.summary(pod) == ["2/2", "Running", "2 (2m ago)"])
    }

    @Test func schedulingGatedAndReadinessGates() {
        let gated = Self.pod(phase: "Pending", conditions: [["type": "PodScheduled", "status": "False", "reason": "SchedulingGated"]])
        #expect(Self.summary(gated)[1] == "SchedulingGated")
        var withGates = Self.pod(statuses: [Self.running()],
                                 conditions: [Self.readyCondition, ["type": "example.com/lb", "status": "True"],
                                              ["type": "example.com/dns", "status": "False"]])
        withGates["spec"]?["readinessGates"] = [["conditionType": "example.com/lb"], ["conditionType": "example.com/dns"]]
        withGates["status"]?["nominatedNodeName"] = "node-b"
        let cells = TableClock.cells("", "Pod", withGates)
        #expect(cells[7] == "node-b")
        #expect(cells[8] == "1/2")
    }

    @Test func unscheduledPodHasNoIPOrNode() {
        let pod: JSONValue = ["metadata": ["name": "p", "creationTimestamp": TableClock.ago(5)],
                              "spec": ["containers": [["name": "c"]]], "status": ["phase": "Pending"]]
        #expect(TableClock.cells("", "Pod", pod) == ["p", "0/1", "Pending", "0", "5s", "<none>", "<none>", "<none>", "<none>"])
    }
}
