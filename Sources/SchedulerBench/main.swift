import APIModel
import ClusterClient
import ClusterTestSupport
import Foundation
import Logging
import Scheduler
import Synchronization

/// scheduler_perf's basic case against a live apiserver: Node objects only (no kubelet), pods
/// created while the scheduler runs, throughput in pods bound per second and the latency from
/// each pod's creation to its binding as a watch sees it.
struct BenchOptions {
    var nodes = 5000
    var pods = 10000
    var kubeconfig: String?
    var creators = 32
    var bindConcurrency = 16
    var events = true
    /// Only the scheduling cycle, in process, without the apiserver.
    var offline = false

    init(arguments: [String]) throws {
        var iterator = arguments.dropFirst().makeIterator()
        func int(_ flag: String) throws -> Int {
            guard let text = iterator.next(), let value = Int(text), value > 0 else { throw BenchError("\(flag) needs a positive integer") }
            return value
        }
        while let argument = iterator.next() {
            switch argument {
            case "--nodes": nodes = try int(argument)
            case "--pods": pods = try int(argument)
            case "--creators": creators = try int(argument)
            case "--bind-concurrency": bindConcurrency = try int(argument)
            case "--no-events": events = false
            case "--offline": offline = true
            case "--kubeconfig":
                guard let path = iterator.next() else { throw BenchError("--kubeconfig needs a path") }
                kubeconfig = path
            case "-h", "--help":
                print("usage: SchedulerBench [--nodes N] [--pods N] [--creators N] [--bind-concurrency N] [--no-events] [--offline] [--kubeconfig PATH]")
                exit(0)
            default: throw BenchError("unknown argument \(argument)")
            }
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// scheduler_perf's default node template: 4 cpu, 32Gi, 110 pods.
func nodeObject(_ index: Int) -> JSONValue {
    let name = "scheduler-perf-node-\(index)"
    let resources: JSONValue = ["cpu": "4", "memory": "32Gi", "pods": "110"]
    return ["apiVersion": "v1", "kind": "Node",
            "metadata": ["name": .string(name), "labels": ["kubernetes.io/hostname": .string(name)]],
            "spec": [:],
            "status": ["capacity": resources, "allocatable": resources,
                       "conditions": [["type": "Ready", "status": "True", "reason": "KubeletReady"]]]]
}

/// scheduler_perf's default pod template: one pause container requesting 100m cpu, 500Mi memory.
func podObject(_ index: Int, namespace: String) -> JSONValue {
    ["apiVersion": "v1", "kind": "Pod",
     "metadata": ["name": .string("pod-\(index)"), "namespace": .string(namespace)],
     "spec": ["containers": [["name": "pause", "image": "registry.k8s.io/pause:3.9",
                              "resources": ["requests": ["cpu": "100m", "memory": "500Mi"],
                                            "limits": ["cpu": "100m", "memory": "500Mi"]]]]]]
}

/// The next index to hand out, shared by the workers of `parallel`.
final class Counter: Sendable {
    let value = Atomic<Int>(0)
}

/// Runs `count` calls with `workers` in parallel.
func parallel(_ count: Int, workers: Int, _ body: @escaping @Sendable (Int) async throws -> Void) async throws {
    let next = Counter()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<min(workers, count) {
            group.addTask {
                while true {
                    let index = next.value.wrappingAdd(1, ordering: .relaxed).oldValue
                    if index >= count { return }
                    try await body(index)
                }
            }
        }
        try await group.waitForAll()
    }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func runBench(client: ClusterClient, options: BenchOptions) async throws {
    let namespace = "sched-perf-\(UInt32.random(in: 0...UInt32.max))"
    _ = try await client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace)]])

    let nodeStart = ContinuousClock.now
    try await parallel(options.nodes, workers: options.creators) { index in
        let object = nodeObject(index)
        var created = try await client.create(.nodes, object)
        if created["status"]?["allocatable"] == nil {
            created["status"] = object["status"]
            _ = try await client.update(.nodes, created, subresource: "status")
        }
    }
    print(String(format: "created %d nodes in %.1f s", options.nodes, seconds(ContinuousClock.now - nodeStart)))

    // Bindings as a watch sees them.
    let bound = Mutex<[String: ContinuousClock.Instant]>([:])
    let created = Mutex<[String: ContinuousClock.Instant]>([:])
    let start = try await client.list(.pods, namespace: namespace, options: ListOptions(limit: 1))
    let watcher = Task {
        let stream = client.watch(.pods, namespace: namespace, options: ListOptions(resourceVersion: start.resourceVersion, timeoutSeconds: 3600))
        do {
            for try await event in stream where event.type == .added || event.type == .modified {
                let node = event.object["spec"]?["nodeName"]?.stringValue ?? ""
                guard !node.isEmpty else { continue }
                let now = ContinuousClock.now
                let name = event.object.name
                let done = bound.withLock { seen -> Int in
                    if seen[name] == nil { seen[name] = now }
                    return seen.count
                }
                if done >= options.pods { return }
            }
        } catch {
            print("watch ended: \(error)")
        }
    }

    var logger = Logger(label: "bench.scheduler")
    logger.logLevel = .warning
    let schedulerOptions = SchedulerOptions(bindConcurrency: options.bindConcurrency, recordScheduledEvents: options.events)
    let scheduler = PodScheduler(client: client, informers: InformerFactory(client: client), options: schedulerOptions, logger: logger)
    let schedulerTask = Task { await scheduler.run() }

    let podStart = ContinuousClock.now
    try await parallel(options.pods, workers: options.creators) { index in
        let before = ContinuousClock.now
        _ = try await client.create(.pods, podObject(index, namespace: namespace))
        created.withLock { $0["pod-\(index)"] = before }
    }
    let creationSeconds = seconds(ContinuousClock.now - podStart)
    print(String(format: "created %d pods in %.1f s (%.0f pods/s)", options.pods, creationSeconds, Double(options.pods) / creationSeconds))

    // Wait for every binding (10 minutes at most).
    let deadline = ContinuousClock.now + .seconds(600)
    while bound.withLock({ $0.count }) < options.pods && ContinuousClock.now < deadline {
        try await Task.sleep(for: .milliseconds(100))
    }
    watcher.cancel()
    schedulerTask.cancel()
    await schedulerTask.value

    let bindings = bound.withLock { $0 }
    let creations = created.withLock { $0 }
    guard let first = bindings.values.min(), let last = bindings.values.max(), bindings.count > 1 else {
        throw BenchError("only \(bindings.count) of \(options.pods) pods were bound")
    }
    let latencies = bindings.compactMap { name, time in creations[name].map { seconds(time - $0) * 1000 } }.sorted()
    let window = seconds(last - first)
    print(String(format: "bound %d/%d pods; throughput %.0f pods/s (first to last binding, %.1f s); %.0f pods/s from the first creation",
                 bindings.count, options.pods, Double(bindings.count - 1) / window, window,
                 Double(bindings.count) / seconds(last - podStart)))
    print(String(format: "creation→binding latency: p50 %.0f ms, p90 %.0f ms, p99 %.0f ms",
                 percentile(latencies, 0.5), percentile(latencies, 0.9), percentile(latencies, 0.99)))
}

let options: BenchOptions
do {
    options = try BenchOptions(arguments: CommandLine.arguments)
} catch {
    print("SchedulerBench: \(error)")
    exit(2)
}
LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .warning
    return handler
}
print("scheduler bench: \(options.nodes) nodes, \(options.pods) pods")
do {
    if options.offline {
        let nodes = (0..<options.nodes).map(nodeObject)
        let pods = (0..<options.pods).map { podObject($0, namespace: "default") }
        let start = ContinuousClock.now
        let placements = try OfflineScheduling.schedule(nodes: nodes, pods: pods)
        let elapsed = seconds(ContinuousClock.now - start)
        print(String(format: "offline: %d/%d pods placed in %.2f s: %.0f pods/s (scheduling cycle and assume only)",
                     placements.compactMap { $0 }.count, options.pods, elapsed, Double(options.pods) / elapsed))
    } else if let path = options.kubeconfig {
        let client = try ClusterClient(connection: try ClusterConnection.fromKubeconfig(path: path), userAgent: "scheduler-bench")
        try await runBench(client: client, options: options)
        try await client.shutdown()
    } else {
        try await withTestCluster { cluster in
            try await runBench(client: cluster.client, options: options)
        }
    }
} catch {
    print("SchedulerBench failed: \(error)")
    exit(1)
}
