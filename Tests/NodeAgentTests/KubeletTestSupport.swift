#if canImport(Glibc)
import Glibc
#endif
import APIModel
import ClusterClient
import ClusterTestSupport
import ContainerRuntime
import Foundation
import ImageStore
import LinuxSystem
import Logging
@testable import NodeAgent
import OCI
import Registry
import Synchronization
import Testing

/// Root-only: the kubelet runs real containers (namespaces, cgroups, overlay mounts).
let kubeletTestsCanRun = getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/bin/busybox")
let kubeletTestsNeed = "needs root and a static /bin/busybox (the kubelet runs real containers)"

/// A busybox image built from the system's busybox-static, pushed to a registry running in
/// process; `body` gets the registry's `host:port`.
func withBusyboxRegistry<T: Sendable>(directory: String, _ body: @Sendable (String) async throws -> T) async throws -> T {
    var logger = Logger(label: "test.registry")
    logger.logLevel = .warning
    let service = RegistryService(root: directory + "/registry", host: "127.0.0.1", port: 0, logger: logger)
    let server = Task { try await service.run() }
    do {
        let host = "127.0.0.1:\(try await service.listeningPort())"
        try await pushBusybox(to: host, scratch: directory + "/scratch")
        let result = try await body(host)
        server.cancel()
        _ = await server.result
        return result
    } catch {
        server.cancel()
        _ = await server.result
        throw error
    }
}

/// `library/busybox:1.36` (and `:latest`) with /bin/busybox, its applets, /etc/passwd and /tmp.
func pushBusybox(to host: String, scratch: String) async throws {
    let rootfs = scratch + "/rootfs"
    for directory in ["bin", "etc", "tmp", "proc", "sys", "dev", "root"] {
        try FileManager.default.createDirectory(atPath: rootfs + "/" + directory, withIntermediateDirectories: true)
    }
    chmod(rootfs + "/tmp", 0o1777)
    try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: rootfs + "/bin/busybox")
    let list = Process()
    list.executableURL = URL(fileURLWithPath: "/bin/busybox")
    list.arguments = ["--list"]
    let pipe = Pipe()
    list.standardOutput = pipe
    try list.run()
    let applets = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(separator: "\n")
    list.waitUntilExit()
    for applet in applets where applet != "busybox" {
        try FileManager.default.createSymbolicLink(atPath: rootfs + "/bin/" + applet, withDestinationPath: "busybox")
    }
    try "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n".write(toFile: rootfs + "/etc/passwd", atomically: true, encoding: .utf8)
    try "root:x:0:\nnogroup:x:65534:\n".write(toFile: rootfs + "/etc/group", atomically: true, encoding: .utf8)
    let store = try ImageStore(root: scratch + "/store")
    let descriptor = try ImageBuilder(layers: [rootfs], runConfig: ImageConfig.RunConfig(
        Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["sh"])).build(into: store)
    let client = RegistryClient(store: store)
    do {
        for tag in ["1.36", "latest"] {
            let local = try store.reference("busybox:\(tag)")
            try store.tag(local, target: descriptor)
            _ = try await client.push(local.description, to: ImageReference(registry: host, repository: "library/busybox", tag: tag))
        }
    } catch {
        try? await client.shutdown()
        throw error
    }
    try await client.shutdown()
}

/// A node of its own for one test: unique name, data directory, cgroup root, bridge and pod CIDR.
func makeKubeletTestConfiguration(registry: String, directory: String) -> KubeletConfiguration {
    let suffix = String(UInt32.random(in: 0..<UInt32.max), radix: 36)
    return KubeletConfiguration(
        nodeName: "kubelet-test-" + suffix, dataDirectory: directory + "/agent", nodeIP: "127.0.0.1",
        registryEndpoint: "http://" + registry, streamingPort: 0,
        podCIDR: "10.251.\(Int.random(in: 1...254)).0/24", bridgeName: "skk" + String(suffix.prefix(8)),
        cgroupRoot: "skiff-test/kubelet-" + suffix, leaseRenewInterval: .seconds(2))
}

/// Runs a kubelet in the background for `body`; cancelling it leaves pods running.
final class RunningKubelet: Sendable {
    let kubelet: Kubelet
    let task: Task<Void, any Error>

    init(configuration: KubeletConfiguration, client: ClusterClient) throws {
        var logger = Logger(label: "test.kubelet")
        logger.logLevel = .warning
        let kubelet = try Kubelet(configuration: configuration, client: client, logger: logger)
        self.kubelet = kubelet
        task = Task { try await kubelet.run() }
    }

    /// Stops the agent process-like: the loop ends, containers keep running.
    func stop() async {
        task.cancel()
        _ = await task.result
    }
}

/// Removes everything the node made (containers, sandboxes, mounts, cgroups, bridge) and checks it.
func cleanUpKubeletTestNode(_ configuration: KubeletConfiguration, directory: String) async {
    try? await Kubelet.cleanUpNode(configuration: configuration)
    let runtime = Runtime(root: configuration.dataDirectory + "/runtime")
    #expect(runtime.list().isEmpty, "containers left behind")
    let mounts = (try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? ""
    #expect(!mounts.contains(configuration.dataDirectory), "mounts left under \(configuration.dataDirectory)")
    for hierarchy in Files.list("/sys/fs/cgroup") + ["unified"] {
        let path = "/sys/fs/cgroup/\(hierarchy)/\(configuration.cgroupRoot)"
        #expect(!FileManager.default.fileExists(atPath: path + "/kubepods"), "cgroup \(path)/kubepods left behind")
        rmdir(path)
    }
    for hierarchy in Files.list("/sys/fs/cgroup") { rmdir("/sys/fs/cgroup/\(hierarchy)/skiff-test") }
    try? FileManager.default.removeItem(atPath: directory)
}

/// Polls until `condition` returns a value (generous timeout: a loaded machine is slow).
func eventually<T: Sendable>(_ what: String, timeout: Duration = .seconds(90),
                             _ condition: @Sendable () async throws -> T?) async throws -> T {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    var lastError: (any Error)?
    while ContinuousClock.now < deadline {
        do {
            if let value = try await condition() { return value }
        } catch {
            lastError = error
        }
        try await Task.sleep(for: .milliseconds(250))
    }
    throw KubeletTestFailure(description: "timed out waiting for \(what)" + (lastError.map { " (last error: \($0))" } ?? ""))
}

struct KubeletTestFailure: Error, CustomStringConvertible {
    var description: String
}

func makeKubeletTestDirectory() -> String {
    let path = NSTemporaryDirectory() + "skiff-kubelet-test-" + String(UInt32.random(in: 0..<UInt32.max), radix: 36)
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A pod bound to the node (the scheduler's job done by hand).
func testPod(_ name: String, node: String, containers: [JSONValue], initContainers: [JSONValue] = [],
             restartPolicy: String = "Always", hostNetwork: Bool = true) -> JSONValue {
    var spec: JSONValue = ["nodeName": .string(node), "restartPolicy": .string(restartPolicy),
                           "hostNetwork": .bool(hostNetwork), "terminationGracePeriodSeconds": 2,
                           "containers": .array(containers)]
    if !initContainers.isEmpty { spec["initContainers"] = .array(initContainers) }
    return ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "namespace": "default"], "spec": spec]
}

func containerStatus(_ pod: JSONValue, _ name: String, isInit: Bool = false) -> JSONValue? {
    pod["status"]?[isInit ? "initContainerStatuses" : "containerStatuses"]?.arrayValue?.first { $0["name"]?.stringValue == name }
}

func podCondition(_ pod: JSONValue, _ type: String) -> String? {
    pod["status"]?["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type }?["status"]?.stringValue
}

/// A flag a polling closure may set.
final class KubeletTestFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}

extension JSONValue {
    /// The pod with `spec.volumes` set.
    func withVolumes(_ volumes: [JSONValue]) -> JSONValue {
        var pod = self
        pod["spec"]?["volumes"] = .array(volumes)
        return pod
    }
}
