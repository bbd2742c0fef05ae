import APIModel
import Testing
@testable import Scheduler

@Suite struct ModelTests {
    @Test(arguments: [
        ("100m", Int64(100)), ("1.5", 1500), ("2", 2000), ("1e3", 1_000_000), ("0.1", 100), ("250m", 250),
    ])
    func cpuQuantities(text: String, milli: Int64) throws {
        let amounts = try ResourceAmounts(resourceList: ["cpu": .string(text)])
        #expect(amounts.milliCPU == milli)
    }

    @Test(arguments: [
        ("128Mi", Int64(134_217_728)), ("1G", 1_000_000_000), ("1Gi", 1_073_741_824), ("1e3", 1000), ("500M", 500_000_000),
    ])
    func memoryQuantities(text: String, bytes: Int64) throws {
        let amounts = try ResourceAmounts(resourceList: ["memory": .string(text)])
        #expect(amounts.memory == bytes)
    }

    @Test func badQuantityIsAnError() {
        #expect(throws: SchedulingInputError.self) { try ResourceAmounts(resourceList: ["cpu": "lots"]) }
    }

    @Test func initContainersCountAsKubernetesDoes() throws {
        let object: JSONValue = ["metadata": ["name": "p", "namespace": "default"], "spec": [
            "containers": [["name": "a", "resources": ["requests": ["cpu": "100m", "memory": "100Mi"]]],
                           ["name": "b", "resources": ["requests": ["cpu": "200m"]]]],
            "initContainers": [["name": "i1", "resources": ["requests": ["cpu": "500m", "memory": "50Mi"]]],
                               ["name": "i2", "resources": ["requests": ["memory": "300Mi"]]]],
            "overhead": ["cpu": "10m"],
        ]]
        let pod = try PodInfo(object)
        // cpu: max(300m, 500m) + 10m overhead; memory: max(100Mi, 300Mi).
        #expect(pod.requests.milliCPU == 510)
        #expect(pod.requests.memory == 300 * 1024 * 1024)
        #expect(pod.requests.pods == 1)
    }

    @Test func sidecarsAddToTheRunningContainers() throws {
        let object: JSONValue = ["metadata": ["name": "p"], "spec": [
            "containers": [["name": "a", "resources": ["requests": ["cpu": "100m"]]]],
            "initContainers": [["name": "sidecar", "restartPolicy": "Always", "resources": ["requests": ["cpu": "200m"]]],
                               ["name": "setup", "resources": ["requests": ["cpu": "250m"]]]],
        ]]
        let pod = try PodInfo(object)
        // Running: 100m + 200m sidecar = 300m; setup runs beside the sidecar: 450m.
        #expect(pod.requests.milliCPU == 450)
    }

    @Test func nonZeroRequestsDefaultForScoring() {
        let pod = Fixtures.pod("p")
        #expect(pod.requests.milliCPU == 0)
        #expect(pod.nonZeroRequests.milliCPU == 100)
        #expect(pod.nonZeroRequests.memory == 200 * 1024 * 1024)
    }

    @Test(arguments: [
        ("nginx", "docker.io/library/nginx:latest"), ("nginx:1.25", "docker.io/library/nginx:1.25"),
        ("user/app", "docker.io/user/app:latest"), ("registry.local:5000/app:2", "registry.local:5000/app:2"),
        ("localhost/app", "localhost/app:latest"),
    ])
    func imageNames(reference: String, normalized: String) {
        #expect(ImageNames.normalize(reference) == normalized)
    }

    @Test func tolerations() {
        let taint = Taint(key: "dedicated", value: "infra", effect: .noSchedule)
        #expect(Toleration(key: "dedicated", value: "infra").tolerates(taint))
        #expect(!Toleration(key: "dedicated", value: "db").tolerates(taint))
        #expect(Toleration(key: "dedicated", exists: true).tolerates(taint))
        #expect(Toleration(key: "", exists: true).tolerates(taint))
        #expect(!Toleration(key: "dedicated", exists: true, effect: .noExecute).tolerates(taint))
        #expect(Toleration(key: "dedicated", value: "infra", effect: .noSchedule).tolerates(taint))
    }

    @Test func cacheAssumeAndForget() {
        var cache = Fixtures.cache([Fixtures.node("n1")])
        let pod = Fixtures.pod("p", cpu: "1")
        cache.assume(pod, on: "n1")
        #expect(cache.node(named: "n1")?.requested.milliCPU == 1000)
        #expect(cache.isAssumed(pod.key))
        cache.forget(podKey: pod.key)
        #expect(cache.node(named: "n1")?.requested.milliCPU == 0)
        // A bound pod confirmed by the informer is not forgotten.
        cache.assume(pod, on: "n1")
        cache.addOrUpdateBoundPod(Fixtures.pod("p", cpu: "1", nodeName: "n1"))
        cache.forget(podKey: pod.key)
        #expect(cache.node(named: "n1")?.requested.milliCPU == 1000)
        #expect(cache.node(named: "n1")?.pods.count == 1)
    }

    @Test func podsOfAnUnknownNodeArriveWithIt() {
        var cache = SchedulerCache()
        cache.addOrUpdateBoundPod(Fixtures.pod("p", cpu: "1", nodeName: "late"))
        cache.addOrUpdateNode(Fixtures.node("late"))
        #expect(cache.node(named: "late")?.requested.milliCPU == 1000)
        cache.removeNode(named: "late")
        #expect(cache.nodeCount == 0)
    }
}
