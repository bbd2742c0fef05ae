import APIModel
import ClusterClient

/// The fields of a Pod the kubelet acts on, read straight from the object as stored (the
/// JSON stays whole, so nothing the kubelet does not model is lost when it writes status).
struct PodObject: Sendable {
    var object: JSONValue

    init(_ object: JSONValue) { self.object = object }

    var uid: String { object.uid }
    var name: String { object.name }
    var namespace: String { object.namespace ?? "default" }
    var spec: JSONValue { object["spec"] ?? .emptyObject }
    var status: JSONValue { object["status"] ?? .emptyObject }

    var containers: [ContainerSpec] { (spec["containers"]?.arrayValue ?? []).map { ContainerSpec($0, isInit: false) } }
    var initContainers: [ContainerSpec] { (spec["initContainers"]?.arrayValue ?? []).map { ContainerSpec($0, isInit: true) } }
    var allContainers: [ContainerSpec] { initContainers + containers }

    /// `Always` (the default), `OnFailure` or `Never`.
    var restartPolicy: String { spec["restartPolicy"]?.stringValue ?? "Always" }
    var hostNetwork: Bool { spec["hostNetwork"]?.boolValue ?? false }
    var nodeName: String { spec["nodeName"]?.stringValue ?? "" }
    var serviceAccountName: String { spec["serviceAccountName"]?.stringValue ?? spec["serviceAccount"]?.stringValue ?? "" }
    var terminationGracePeriodSeconds: Int64 { spec["terminationGracePeriodSeconds"]?.intValue ?? 30 }
    /// The grace period the deletion asked for (`metadata.deletionGracePeriodSeconds`).
    var deletionGracePeriodSeconds: Int64? { object["metadata"]?["deletionGracePeriodSeconds"]?.intValue }
    var isBeingDeleted: Bool { object.isBeingDeleted }

    var isMirror: Bool { object.annotations[StaticPodAnnotations.mirror] != nil }
    var isStatic: Bool { object.annotations[StaticPodAnnotations.source].map { $0 != "api" } ?? false }

    /// The sandbox the PodSpec describes.
    func sandboxRequest(clusterDomain: String) -> PodSandboxRequest {
        var ports: [PortMapping] = []
        for container in containers {
            for port in container.json["ports"]?.arrayValue ?? [] {
                guard let hostPort = port["hostPort"]?.intValue, hostPort > 0,
                      let containerPort = port["containerPort"]?.intValue else { continue }
                ports.append(PortMapping(hostPort: Int(hostPort), containerPort: Int(containerPort),
                                         protocol: (port["protocol"]?.stringValue ?? "TCP").lowercased(),
                                         hostIP: port["hostIP"]?.stringValue))
            }
        }
        let aliases: [(ip: String, hostnames: [String])] = (spec["hostAliases"]?.arrayValue ?? []).compactMap { alias in
            guard let ip = alias["ip"]?.stringValue else { return nil }
            return (ip, alias["hostnames"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        }
        return PodSandboxRequest(
            podUID: uid, namespace: namespace, name: name, hostname: spec["hostname"]?.stringValue ?? String(name.prefix(63)),
            subdomain: spec["subdomain"]?.stringValue, hostNetwork: hostNetwork, hostAliases: aliases,
            dnsPolicy: spec["dnsPolicy"]?.stringValue ?? "ClusterFirst", dnsConfig: spec["dnsConfig"], portMappings: ports)
    }
}

/// One entry of `spec.containers` or `spec.initContainers`.
struct ContainerSpec: Sendable {
    var json: JSONValue
    var isInit: Bool

    init(_ json: JSONValue, isInit: Bool) {
        self.json = json
        self.isInit = isInit
    }

    var name: String { json["name"]?.stringValue ?? "" }
    var image: String { json["image"]?.stringValue ?? "" }
    var command: [String]? { json["command"]?.arrayValue?.compactMap(\.stringValue) }
    var args: [String]? { json["args"]?.arrayValue?.compactMap(\.stringValue) }
    var workingDir: String? { json["workingDir"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } }
    var env: [JSONValue] { json["env"]?.arrayValue ?? [] }
    var envFrom: [JSONValue] { json["envFrom"]?.arrayValue ?? [] }
    var resources: JSONValue { json["resources"] ?? .emptyObject }
    var securityContext: JSONValue? { json["securityContext"] }
    var volumeMounts: [JSONValue] { json["volumeMounts"]?.arrayValue ?? [] }
    var tty: Bool { json["tty"]?.boolValue ?? false }
    var stdin: Bool { json["stdin"]?.boolValue ?? false }
    var livenessProbe: JSONValue? { json["livenessProbe"] }
    var readinessProbe: JSONValue? { json["readinessProbe"] }
    var startupProbe: JSONValue? { json["startupProbe"] }
    var postStart: JSONValue? { json["lifecycle"]?["postStart"] }
    var preStop: JSONValue? { json["lifecycle"]?["preStop"] }
    var terminationMessagePath: String { json["terminationMessagePath"]?.stringValue ?? "/dev/termination-log" }
    /// An init container with `restartPolicy: Always` is a sidecar (runs beside the containers).
    var isSidecar: Bool { isInit && json["restartPolicy"]?.stringValue == "Always" }

    /// The policy as sent, else Kubernetes' default: `Always` for `:latest` or an untagged
    /// image, `IfNotPresent` otherwise.
    var imagePullPolicy: String {
        if let policy = json["imagePullPolicy"]?.stringValue, !policy.isEmpty { return policy }
        return Self.defaultPullPolicy(for: image)
    }

    static func defaultPullPolicy(for image: String) -> String {
        if image.contains("@") { return "IfNotPresent" }
        let lastComponent = image.split(separator: "/").last.map(String.init) ?? image
        guard let colon = lastComponent.lastIndex(of: ":") else { return "Always" }
        return lastComponent[lastComponent.index(after: colon)...] == "latest" ? "Always" : "IfNotPresent"
    }

    /// A quantity of `resources.requests`/`limits` as a number (`cpu` in cores, others in units).
    func quantity(_ kind: String, _ resource: String) -> Double? {
        resources[kind]?[resource].flatMap { Quantity.value(of: $0) }
    }

    /// `requests.cpu`, defaulting to the limit as the apiserver's defaulting does.
    var cpuRequest: Double? { quantity("requests", "cpu") ?? quantity("limits", "cpu") }
    var memoryRequest: Double? { quantity("requests", "memory") ?? quantity("limits", "memory") }
    var cpuLimit: Double? { quantity("limits", "cpu") }
    var memoryLimit: Double? { quantity("limits", "memory") }
}

/// Annotations of static and mirror pods (Kubernetes' names).
enum StaticPodAnnotations {
    static let mirror = "kubernetes.io/config.mirror"
    static let source = "kubernetes.io/config.source"
    static let hash = "kubernetes.io/config.hash"
    static let seen = "kubernetes.io/config.seen"
}
