import APIModel
import ClusterClient

/// A host port a pod asks for; `0.0.0.0` (or an empty IP) conflicts with every address.
struct HostPort: Sendable, Hashable {
    var ip: String
    var proto: String
    var port: Int64

    func conflicts(with other: HostPort) -> Bool {
        guard port == other.port, proto == other.proto else { return false }
        return ip == other.ip || Self.isWildcard(ip) || Self.isWildcard(other.ip)
    }

    static func isWildcard(_ ip: String) -> Bool { ip.isEmpty || ip == "0.0.0.0" || ip == "::" }
}

/// Everything the plugins read of a pod, parsed once when the pod is seen, so a scheduling
/// cycle over thousands of nodes never touches JSON.
final class PodInfo: Sendable {
    let object: JSONValue
    let namespace: String
    let name: String
    let uid: String
    let key: String
    let labels: [String: String]
    let nodeName: String
    let nominatedNodeName: String
    let schedulerName: String
    let priority: Int64
    /// `spec.preemptionPolicy: Never` pods never evict others.
    let preemptsOthers: Bool
    /// Requests as Kubernetes counts them: max(sum of containers + sidecars, each init
    /// container on top of the sidecars before it) plus the pod overhead; `pods` is 1.
    let requests: ResourceAmounts
    /// The same with 100m cpu / 200Mi memory for containers that request none: what the
    /// scoring plugins spread by, so pods without requests still spread out.
    let nonZeroRequests: ResourceAmounts
    let nodeSelector: [String: String]
    let requiredNodeAffinity: NodeSelectorTerms?
    let preferredNodeAffinity: [PreferredNodeTerm]
    let tolerations: [Toleration]
    let podAffinity: PodAffinitySpec
    let topologySpread: [TopologySpreadConstraint]
    let hostPorts: [HostPort]
    /// Normalized image references of the containers (not the init containers).
    let images: [String]
    /// `status.startTime`, else the creation time: the tie-breaker between victims.
    let startTime: String
    let isTerminating: Bool

    static let defaultMilliCPURequest: Int64 = 100
    static let defaultMemoryRequest: Int64 = 200 * 1024 * 1024

    /// `priority` resolves `spec.priorityClassName` (and the global default class) when the
    /// pod carries no `spec.priority`.
    init(_ object: JSONValue, priority resolvePriority: (String?) -> Int64 = { _ in 0 }) throws(SchedulingInputError) {
        self.object = object
        let metadata = object["metadata"]
        let spec = object["spec"]
        namespace = metadata?["namespace"]?.stringValue ?? "default"
        name = metadata?["name"]?.stringValue ?? ""
        uid = metadata?["uid"]?.stringValue ?? ""
        key = namespace + "/" + name
        labels = LabelSelector.labels(of: object)
        nodeName = spec?["nodeName"]?.stringValue ?? ""
        nominatedNodeName = object["status"]?["nominatedNodeName"]?.stringValue ?? ""
        schedulerName = spec?["schedulerName"]?.stringValue ?? "default-scheduler"
        priority = spec?["priority"]?.intValue ?? resolvePriority(spec?["priorityClassName"]?.stringValue)
        preemptsOthers = spec?["preemptionPolicy"]?.stringValue != "Never"
        startTime = object["status"]?["startTime"]?.stringValue ?? metadata?["creationTimestamp"]?.stringValue ?? ""
        isTerminating = metadata?["deletionTimestamp"].map { !$0.isNull } ?? false

        let (requests, nonZero) = try Self.requests(spec: spec)
        self.requests = requests
        nonZeroRequests = nonZero

        var selector: [String: String] = [:]
        for (key, value) in spec?["nodeSelector"]?.objectValue ?? JSONObject() {
            if let value = value.stringValue { selector[key] = value }
        }
        nodeSelector = selector
        let nodeAffinity = spec?["affinity"]?["nodeAffinity"]
        if let required = nodeAffinity?["requiredDuringSchedulingIgnoredDuringExecution"], !required.isNull {
            var terms: [NodeSelectorTerm] = []
            for term in required["nodeSelectorTerms"]?.arrayValue ?? [] { terms.append(try NodeSelectorTerm(json: term)) }
            requiredNodeAffinity = NodeSelectorTerms(terms: terms)
        } else {
            requiredNodeAffinity = nil
        }
        var preferred: [PreferredNodeTerm] = []
        for entry in nodeAffinity?["preferredDuringSchedulingIgnoredDuringExecution"]?.arrayValue ?? [] {
            guard let term = entry["preference"] else { continue }
            preferred.append(PreferredNodeTerm(weight: entry["weight"]?.intValue ?? 0, term: try NodeSelectorTerm(json: term)))
        }
        preferredNodeAffinity = preferred

        var tolerations: [Toleration] = []
        for toleration in spec?["tolerations"]?.arrayValue ?? [] { tolerations.append(try Toleration(json: toleration)) }
        self.tolerations = tolerations
        podAffinity = try PodAffinitySpec(affinity: spec?["affinity"], namespace: namespace)
        var constraints: [TopologySpreadConstraint] = []
        for constraint in spec?["topologySpreadConstraints"]?.arrayValue ?? [] {
            constraints.append(try TopologySpreadConstraint(json: constraint, podLabels: labels))
        }
        topologySpread = constraints

        var ports: [HostPort] = []
        var images: [String] = []
        for container in spec?["containers"]?.arrayValue ?? [] {
            if let image = container["image"]?.stringValue { images.append(ImageNames.normalize(image)) }
            for port in container["ports"]?.arrayValue ?? [] {
                guard let hostPort = port["hostPort"]?.intValue, hostPort > 0 else { continue }
                ports.append(HostPort(ip: port["hostIP"]?.stringValue ?? "", proto: port["protocol"]?.stringValue ?? "TCP", port: hostPort))
            }
        }
        for container in spec?["initContainers"]?.arrayValue ?? [] where container["restartPolicy"]?.stringValue == "Always" {
            for port in container["ports"]?.arrayValue ?? [] {
                guard let hostPort = port["hostPort"]?.intValue, hostPort > 0 else { continue }
                ports.append(HostPort(ip: port["hostIP"]?.stringValue ?? "", proto: port["protocol"]?.stringValue ?? "TCP", port: hostPort))
            }
        }
        hostPorts = ports
        self.images = images
    }

    var hasRequiredAntiAffinity: Bool { !podAffinity.requiredAntiAffinity.isEmpty }
    var hasAffinity: Bool { !podAffinity.isEmpty }

    /// Kubernetes' pod request rule: regular containers and sidecars (init containers with
    /// `restartPolicy: Always`) run together; each other init container runs alone with the
    /// sidecars started before it; the pod needs the larger of the two, plus its overhead.
    private static func requests(spec: JSONValue?) throws(SchedulingInputError) -> (ResourceAmounts, ResourceAmounts) {
        var running = ResourceAmounts()
        var runningNonZero = ResourceAmounts()
        for container in spec?["containers"]?.arrayValue ?? [] {
            let request = try ResourceAmounts(resourceList: container["resources"]?["requests"])
            running.add(request)
            runningNonZero.add(nonZero(request))
        }
        var sidecars = ResourceAmounts()
        var sidecarsNonZero = ResourceAmounts()
        var initPeak = ResourceAmounts()
        var initPeakNonZero = ResourceAmounts()
        for container in spec?["initContainers"]?.arrayValue ?? [] {
            let request = try ResourceAmounts(resourceList: container["resources"]?["requests"])
            if container["restartPolicy"]?.stringValue == "Always" {
                sidecars.add(request)
                sidecarsNonZero.add(nonZero(request))
                initPeak.formMaximum(sidecars)
                initPeakNonZero.formMaximum(sidecarsNonZero)
            } else {
                initPeak.formMaximum(request.adding(sidecars))
                initPeakNonZero.formMaximum(nonZero(request).adding(sidecarsNonZero))
            }
        }
        running.add(sidecars)
        runningNonZero.add(sidecarsNonZero)
        running.formMaximum(initPeak)
        runningNonZero.formMaximum(initPeakNonZero)
        let overhead = try ResourceAmounts(resourceList: spec?["overhead"])
        running.add(overhead)
        runningNonZero.add(overhead)
        running.pods = 1
        runningNonZero.pods = 1
        return (running, runningNonZero)
    }

    private static func nonZero(_ request: ResourceAmounts) -> ResourceAmounts {
        var amounts = request
        if amounts.milliCPU == 0 { amounts.milliCPU = defaultMilliCPURequest }
        if amounts.memory == 0 { amounts.memory = defaultMemoryRequest }
        return amounts
    }
}
