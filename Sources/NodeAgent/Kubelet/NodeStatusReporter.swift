import APIModel
import ClusterClient
import Foundation
import Logging
import LinuxSystem

/// Registers the Node and keeps its status current (on change and at least every minute),
/// renews its Lease in `kube-node-lease`, and hands the pod CIDR to the sandboxes.
actor NodeStatusReporter {
    static let kubeletVersion = "v1.32.4-skiff"
    let context: KubeletContext
    private var lastStatus: JSONValue?
    private var lastWrite = Date.distantPast
    private var podCIDR: String?

    init(context: KubeletContext) {
        self.context = context
    }

    var configuration: KubeletConfiguration { context.configuration }

    func labels() -> JSONValue {
        var labels: JSONValue = .emptyObject
        let arch = context.machine.architecture
        labels["kubernetes.io/hostname"] = .string(configuration.nodeName)
        labels["kubernetes.io/os"] = "linux"
        labels["kubernetes.io/arch"] = .string(arch)
        labels["beta.kubernetes.io/os"] = "linux"
        labels["beta.kubernetes.io/arch"] = .string(arch)
        for (key, value) in configuration.nodeLabels.sorted(by: { $0.key < $1.key }) { labels[key] = .string(value) }
        return labels
    }

    func capacity() -> (capacity: JSONValue, allocatable: JSONValue) {
        let machine = context.machine
        let cpuMilli = machine.cpus * 1000
        let allocatableMilli = max(cpuMilli - configuration.reservedCPUMillicores, 0)
        let memory = machine.memoryBytes
        let allocatableMemory = max(memory - configuration.reservedMemoryBytes, 0)
        let capacity: JSONValue = [
            "cpu": .string(String(machine.cpus)), "memory": .string("\(memory / 1024)Ki"),
            "ephemeral-storage": .string("\(machine.ephemeralStorageBytes / 1024)Ki"),
            "pods": .string(String(configuration.maxPods)), "hugepages-2Mi": "0", "hugepages-1Gi": "0",
        ]
        let allocatable: JSONValue = [
            "cpu": .string(allocatableMilli % 1000 == 0 ? String(allocatableMilli / 1000) : "\(allocatableMilli)m"),
            "memory": .string("\(allocatableMemory / 1024)Ki"),
            "ephemeral-storage": .string(String(machine.ephemeralStorageBytes * 9 / 10)),
            "pods": .string(String(configuration.maxPods)), "hugepages-2Mi": "0", "hugepages-1Gi": "0",
        ]
        return (capacity, allocatable)
    }

    /// Memory below 100 MiB available, or the data filesystem over 90 % full, is pressure.
    func pressures() -> (memory: Bool, disk: Bool, pid: Bool) {
        let meminfo = ((try? Files.readString("/proc/meminfo")) ?? nil) ?? ""
        var available: Int64?
        for line in meminfo.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            available = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap { Int64($0) }.map { $0 * 1024 }
        }
        let disk = MachineInfo.filesystemUsage(configuration.dataDirectory).map { Double($0.used) / Double(max($0.total, 1)) > 0.9 } ?? false
        let pidMax = (((try? Files.readString("/proc/sys/kernel/pid_max")) ?? nil)?.trimmingCharacters(in: .whitespacesAndNewlines)).flatMap { Int($0) } ?? 32768
        let processes = Files.list("/proc").filter { $0.allSatisfy(\.isNumber) }.count
        return ((available ?? Int64.max) < 100 << 20, disk, Double(processes) > Double(pidMax) * 0.95)
    }

    func status(previous: JSONValue?) -> JSONValue {
        let now = PodStatusBuilder.timestamp()
        let oldConditions = previous?["conditions"]?.arrayValue ?? []
        func condition(_ type: String, _ value: Bool, reason: String, message: String) -> JSONValue {
            let text = value ? "True" : "False"
            let old = oldConditions.first { $0["type"]?.stringValue == type }
            let transition = old?["status"]?.stringValue == text ? (old?["lastTransitionTime"] ?? .string(now)) : .string(now)
            return ["type": .string(type), "status": .string(text), "lastHeartbeatTime": .string(now),
                    "lastTransitionTime": transition, "reason": .string(reason), "message": .string(message)]
        }
        let pressure = pressures()
        let (capacity, allocatable) = capacity()
        let machine = context.machine
        let images = context.images.nodeImages().prefix(50).map { image -> JSONValue in
            ["names": .array(image.names.map { .string($0) }), "sizeBytes": .int(image.size)]
        }
        return [
            "capacity": capacity, "allocatable": allocatable,
            "conditions": [
                condition("MemoryPressure", pressure.memory, reason: pressure.memory ? "KubeletHasInsufficientMemory" : "KubeletHasSufficientMemory",
                          message: pressure.memory ? "kubelet has insufficient memory available" : "kubelet has sufficient memory available"),
                condition("DiskPressure", pressure.disk, reason: pressure.disk ? "KubeletHasDiskPressure" : "KubeletHasNoDiskPressure",
                          message: pressure.disk ? "kubelet has disk pressure" : "kubelet has no disk pressure"),
                condition("PIDPressure", pressure.pid, reason: pressure.pid ? "KubeletHasInsufficientPID" : "KubeletHasSufficientPID",
                          message: pressure.pid ? "kubelet has insufficient PID available" : "kubelet has sufficient PID available"),
                condition("Ready", true, reason: "KubeletReady", message: "kubelet is posting ready status"),
            ],
            "addresses": [["type": "InternalIP", "address": .string(configuration.nodeIP)],
                          ["type": "Hostname", "address": .string(configuration.nodeName)]],
            "daemonEndpoints": ["kubeletEndpoint": ["Port": .int(Int64(configuration.streamingPort))]],
            "nodeInfo": [
                "machineID": .string(machine.machineID), "systemUUID": .string(machine.machineID), "bootID": .string(machine.bootID),
                "kernelVersion": .string(machine.kernelVersion), "osImage": .string(machine.osImage),
                "containerRuntimeVersion": "skiff://1.0.0", "kubeletVersion": .string(Self.kubeletVersion),
                "kubeProxyVersion": "", "operatingSystem": "linux", "architecture": .string(machine.architecture),
            ],
            "images": .array(Array(images)),
        ]
    }

    /// Creates the Node, or on an existing one merges our labels and takes over its status.
    func register() async throws {
        let node: JSONValue = [
            "apiVersion": "v1", "kind": "Node",
            "metadata": ["name": .string(configuration.nodeName), "labels": labels(),
                         "annotations": ["node.alpha.kubernetes.io/ttl": "0"]],
            "spec": configuration.podCIDR.map { ["podCIDR": .string($0), "podCIDRs": [.string($0)]] } ?? .emptyObject,
        ]
        var stored: JSONValue
        do {
            stored = try await context.client.create(.nodes, node)
        } catch let error as ClientError where error.isAlreadyExists {
            stored = try await context.client.patch(.nodes, name: configuration.nodeName, type: .merge,
                                                    ["metadata": ["labels": labels()]])
        }
        try await applyPodCIDR(stored)
        try await writeStatus(force: true)
    }

    func applyPodCIDR(_ node: JSONValue) async throws {
        let cidr = node["spec"]?["podCIDR"]?.stringValue ?? configuration.podCIDR
        guard let cidr, cidr != podCIDR else { return }
        try await context.sandboxes.setPodCIDR(cidr)
        podCIDR = cidr
    }

    func writeStatus(force: Bool) async throws {
        var status = status(previous: lastStatus)
        let changed = lastStatus.map { Self.withoutHeartbeats($0) != Self.withoutHeartbeats(status) } ?? true
        guard force || changed || Date().timeIntervalSince(lastWrite) >= 60 else { return }
        if !changed, let previous = lastStatus { status["conditions"] = Self.refreshHeartbeats(previous["conditions"]) }
        let node = try await context.client.patch(.nodes, name: configuration.nodeName, type: .merge, ["status": status],
                                                  subresource: "status")
        lastStatus = status
        lastWrite = Date()
        try await applyPodCIDR(node)
    }

    static func withoutHeartbeats(_ status: JSONValue) -> JSONValue {
        var status = status
        status["conditions"] = .array((status["conditions"]?.arrayValue ?? []).map { condition in
            var condition = condition
            condition["lastHeartbeatTime"] = nil
            return condition
        })
        return status
    }

    static func refreshHeartbeats(_ conditions: JSONValue?) -> JSONValue {
        let now = PodStatusBuilder.timestamp()
        return .array((conditions?.arrayValue ?? []).map { condition in
            var condition = condition
            condition["lastHeartbeatTime"] = .string(now)
            return condition
        })
    }

    /// Renews the node's Lease (creating it, and the namespace's absence tolerated, as needed).
    func renewLease() async throws {
        let now = Self.microTime()
        let name = configuration.nodeName
        do {
            var lease = try await context.client.get(.leases, namespace: "kube-node-lease", name: name)
            lease["spec"]?["renewTime"] = .string(now)
            lease["spec"]?["holderIdentity"] = .string(name)
            lease["spec"]?["leaseDurationSeconds"] = .int(Int64(configuration.leaseDurationSeconds))
            _ = try await context.client.update(.leases, lease)
        } catch let error as ClientError where error.isNotFound {
            let lease: JSONValue = [
                "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                "metadata": ["name": .string(name), "namespace": "kube-node-lease",
                             "ownerReferences": try await nodeOwnerReference()],
                "spec": ["holderIdentity": .string(name), "leaseDurationSeconds": .int(Int64(configuration.leaseDurationSeconds)),
                         "renewTime": .string(now)],
            ]
            do {
                _ = try await context.client.create(.leases, namespace: "kube-node-lease", lease)
            } catch let error as ClientError where error.isNotFound {
                _ = try? await context.client.create(.namespaces, ["apiVersion": "v1", "kind": "Namespace",
                                                                   "metadata": ["name": "kube-node-lease"]])
                _ = try await context.client.create(.leases, namespace: "kube-node-lease", lease)
            }
        }
    }

    func nodeOwnerReference() async throws -> JSONValue {
        let node = try await context.client.get(.nodes, name: configuration.nodeName)
        return [["apiVersion": "v1", "kind": "Node", "name": .string(node.name), "uid": .string(node.uid)]]
    }

    static func microTime() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var text = formatter.string(from: Date())
        // MicroTime has six fractional digits.
        if let dot = text.firstIndex(of: "."), let z = text.lastIndex(of: "Z") {
            let fraction = text[text.index(after: dot)..<z]
            text = String(text[..<dot]) + "." + fraction + String(repeating: "0", count: max(6 - fraction.count, 0)) + "Z"
        }
        return text
    }

    /// Status every 10 s (written on change or each minute), the Lease every renew interval.
    func run() async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                while !Task.isCancelled {
                    do { try await self.writeStatus(force: false) } catch {
                        self.context.logger.warning("updating node status: \(error)")
                    }
                    try? await Task.sleep(for: .seconds(10))
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    do { try await self.renewLease() } catch {
                        self.context.logger.warning("renewing the node lease: \(error)")
                    }
                    try? await Task.sleep(for: self.context.configuration.leaseRenewInterval)
                }
            }
        }
    }
}
