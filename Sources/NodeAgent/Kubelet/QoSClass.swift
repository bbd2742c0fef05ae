import OCI

/// A pod's quality-of-service class, computed from its containers' cpu and memory requests
/// and limits as Kubernetes does: it decides the pod cgroup's place and its eviction order.
enum QoSClass: String, Sendable {
    case guaranteed = "Guaranteed"
    case burstable = "Burstable"
    case bestEffort = "BestEffort"

    /// Guaranteed: every container sets cpu and memory limits and its requests equal them
    /// (requests default to limits). BestEffort: no container sets any cpu or memory request
    /// or limit. Everything else is Burstable. Init containers count like the others.
    static func of(_ pod: PodObject) -> QoSClass {
        let containers = pod.allContainers
        var anySet = false
        var guaranteed = !containers.isEmpty
        for container in containers {
            for resource in ["cpu", "memory"] {
                let request = container.quantity("requests", resource)
                let limit = container.quantity("limits", resource)
                if (request ?? 0) != 0 || (limit ?? 0) != 0 { anySet = true }
                guard let limit, limit > 0 else { guaranteed = false; continue }
                if let request, request != limit { guaranteed = false }
            }
        }
        if !anySet { return .bestEffort }
        return guaranteed ? .guaranteed : .burstable
    }

    /// The pod's cgroup below `root`: `<root>/kubepods/pod<uid>` for Guaranteed,
    /// `<root>/kubepods/burstable/pod<uid>`, `<root>/kubepods/besteffort/pod<uid>`.
    static func podCgroup(root: String, qos: QoSClass, podUID: String) -> String {
        "\(qosCgroup(root: root, qos: qos))/pod\(podUID)"
    }

    static func qosCgroup(root: String, qos: QoSClass) -> String {
        let base = (root.isEmpty ? "" : root + "/") + "kubepods"
        switch qos {
        case .guaranteed: return base
        case .burstable: return base + "/burstable"
        case .bestEffort: return base + "/besteffort"
        }
    }
}

/// Kernel cpu settings from Kubernetes cpu quantities.
enum CPUResources {
    static let period: UInt64 = 100_000
    static let minimumShares: UInt64 = 2
    static let maximumShares: UInt64 = 262_144
    static let minimumQuota: Int64 = 1_000

    /// cpu.shares from a request in cores: 1024 per core, at least 2 (what BestEffort gets).
    static func shares(cores: Double?) -> UInt64 {
        guard let cores, cores > 0 else { return minimumShares }
        let milli = (cores * 1000).rounded(.up)
        let shares = UInt64(milli * 1024 / 1000)
        return min(max(shares, minimumShares), maximumShares)
    }

    /// The CFS quota for a limit in cores over `period` microseconds (at least 1 ms).
    static func quota(cores: Double) -> Int64 {
        let milli = (cores * 1000).rounded(.up)
        return max(Int64(milli) * Int64(period) / 1000, minimumQuota)
    }
}

/// Resources of a pod's cgroup: the sum over its containers (an init container runs alone, so
/// the larger of the biggest init container and the sum counts), as Kubernetes sizes it.
enum PodCgroupResources {
    static func of(_ pod: PodObject, qos: QoSClass) -> RuntimeSpec.Resources {
        func effective(_ value: (ContainerSpec) -> Double?) -> Double? {
            let regular = pod.containers.map(value)
            let sum: Double? = regular.contains(where: { $0 == nil }) ? nil : regular.compactMap { $0 }.reduce(0, +)
            let initMax = pod.initContainers.compactMap(value).max()
            switch (sum, initMax) {
            case (nil, _): return nil
            case (let s?, nil): return s
            case (let s?, let i?): return max(s, i)
            }
        }
        var resources = RuntimeSpec.Resources()
        switch qos {
        case .bestEffort:
            resources.cpu = RuntimeSpec.CPU(shares: CPUResources.minimumShares)
        case .burstable, .guaranteed:
            let requests = pod.containers.compactMap(\.cpuRequest).reduce(0, +)
            var cpu = RuntimeSpec.CPU(shares: CPUResources.shares(cores: requests))
            if qos == .guaranteed, let limit = effective(\.cpuLimit), limit > 0 {
                cpu.quota = CPUResources.quota(cores: limit)
                cpu.period = CPUResources.period
            }
            resources.cpu = cpu
            if let memory = effective(\.memoryLimit), memory > 0 {
                resources.memory = RuntimeSpec.Memory(limit: Int64(memory))
            }
        }
        return resources
    }
}
