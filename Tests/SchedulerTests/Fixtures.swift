import APIModel
@testable import Scheduler

/// Builders for the pods and nodes of the table tests, as JSON like the apiserver sends.
enum Fixtures {
    static func pod(_ name: String, namespace: String = "default", cpu: String? = nil, memory: String? = nil,
                    labels: [String: String] = [:], spec extra: [String: JSONValue] = [:], priority: Int64? = nil,
                    nodeName: String? = nil, image: String = "registry.example/app:1") -> PodInfo {
        var requests = JSONObject()
        if let cpu { requests["cpu"] = .string(cpu) }
        if let memory { requests["memory"] = .string(memory) }
        var spec: JSONValue = ["containers": [["name": "app", "image": .string(image), "resources": ["requests": .object(requests)]]]]
        for (key, value) in extra { spec[key] = value }
        if let priority { spec["priority"] = .int(priority) }
        if let nodeName { spec["nodeName"] = .string(nodeName) }
        var labelObject = JSONObject()
        for (key, value) in labels { labelObject[key] = .string(value) }
        let object: JSONValue = ["metadata": ["name": .string(name), "namespace": .string(namespace), "uid": .string("uid-\(name)"),
                                              "labels": .object(labelObject), "creationTimestamp": "2024-01-01T00:00:00Z"],
                                 "spec": spec]
        // swiftlint:disable:next force_try
        return try! PodInfo(object)
    }

    static func node(_ name: String, cpu: String = "4", memory: String = "32Gi", pods: Int64 = 110,
                     labels: [String: String] = [:], taints: [JSONValue] = [], unschedulable: Bool = false,
                     extra: [String: String] = [:], images: [JSONValue] = []) -> NodeInfo {
        var labelObject = JSONObject()
        labelObject["kubernetes.io/hostname"] = .string(name)
        for (key, value) in labels { labelObject[key] = .string(value) }
        var allocatable: JSONValue = ["cpu": .string(cpu), "memory": .string(memory), "pods": .int(pods)]
        for (key, value) in extra { allocatable[key] = .string(value) }
        let object: JSONValue = ["metadata": ["name": .string(name), "labels": .object(labelObject)],
                                 "spec": ["taints": .array(taints), "unschedulable": .bool(unschedulable)],
                                 "status": ["allocatable": allocatable, "images": .array(images)]]
        // swiftlint:disable:next force_try
        return try! NodeInfo(node: object)
    }

    static func taint(_ key: String, _ value: String = "", _ effect: String = "NoSchedule") -> JSONValue {
        ["key": .string(key), "value": .string(value), "effect": .string(effect)]
    }

    static func state(_ pod: PodInfo, nodes: [NodeInfo]) -> CycleState {
        var cache = SchedulerCache()
        for node in nodes { cache.addOrUpdateNode(node) }
        return SchedulingAlgorithm.makeState(for: pod, cache: cache)
    }

    static func cache(_ nodes: [NodeInfo], pods: [(PodInfo, String)] = []) -> SchedulerCache {
        var cache = SchedulerCache()
        for node in nodes { cache.addOrUpdateNode(node) }
        for (pod, node) in pods { cache.assume(pod, on: node) }
        return cache
    }

    static func withPods(_ node: NodeInfo, _ pods: [PodInfo]) -> NodeInfo {
        var node = node
        for pod in pods { node.addPod(pod) }
        return node
    }
}
