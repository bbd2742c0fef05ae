import APIModel
import ClusterClient
import Foundation

/// Why a container's configuration cannot be built: the container waits with reason
/// `CreateContainerConfigError` and this message, and the kubelet retries.
struct ContainerConfigError: Error, Sendable, CustomStringConvertible {
    var message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// Reads a ConfigMap or Secret for env and envFrom; nil when it does not exist.
typealias ObjectLookup = @Sendable (_ resource: ResourceRef, _ namespace: String, _ name: String) async throws -> JSONValue?

/// What the downward API exposes beyond the Pod object itself.
struct DownwardFacts: Sendable {
    var hostIPs: [String]
    var podIPs: [String]
    /// Node allocatable, the value of `limits.cpu`/`limits.memory` for a container without one.
    var allocatableCPU: Double
    var allocatableMemory: Double
    var allocatableEphemeralStorage: Double

    init(hostIPs: [String], podIPs: [String], allocatableCPU: Double = 1, allocatableMemory: Double = 1_073_741_824,
         allocatableEphemeralStorage: Double = 17_179_869_184) {
        self.hostIPs = hostIPs
        self.podIPs = podIPs
        self.allocatableCPU = allocatableCPU
        self.allocatableMemory = allocatableMemory
        self.allocatableEphemeralStorage = allocatableEphemeralStorage
    }
}

/// Builds a container's environment as Kubernetes defines it: `envFrom` sources in order
/// (with their prefix; later ones win), then `env` in order, each value `$(VAR)`-expanded
/// against the variables defined before it; references come from the downward API,
/// container resources, ConfigMaps and Secrets.
struct EnvironmentResolver: Sendable {
    var pod: PodObject
    var facts: DownwardFacts
    var lookup: ObjectLookup

    /// Name/value pairs in first-definition order, later definitions replacing values.
    func resolve(_ container: ContainerSpec) async throws -> [(name: String, value: String)] {
        var environment = OrderedEnvironment()
        for source in container.envFrom {
            let prefix = source["prefix"]?.stringValue ?? ""
            if let reference = source["configMapRef"] {
                let optional = reference["optional"]?.boolValue ?? false
                let name = reference["name"]?.stringValue ?? ""
                guard let object = try await lookup(.configMaps, pod.namespace, name) else {
                    if optional { continue }
                    throw ContainerConfigError("configmap \"\(name)\" not found")
                }
                for (key, value) in Self.stringData(object) { environment.set(prefix + key, value) }
            } else if let reference = source["secretRef"] {
                let optional = reference["optional"]?.boolValue ?? false
                let name = reference["name"]?.stringValue ?? ""
                guard let object = try await lookup(.secrets, pod.namespace, name) else {
                    if optional { continue }
                    throw ContainerConfigError("secret \"\(name)\" not found")
                }
                for (key, value) in Self.secretData(object) { environment.set(prefix + key, value) }
            }
        }
        for variable in container.env {
            guard let name = variable["name"]?.stringValue, !name.isEmpty else { continue }
            if let value = variable["value"]?.stringValue {
                environment.set(name, Self.expand(value) { environment.value(of: $0) })
            } else if let source = variable["valueFrom"] {
                if let value = try await valueFrom(source, container: container) { environment.set(name, value) }
            } else {
                environment.set(name, "")
            }
        }
        return environment.pairs
    }

    /// A `valueFrom` reference; nil when an optional key or object is missing (the variable is
    /// then left out, as Kubernetes does).
    func valueFrom(_ source: JSONValue, container: ContainerSpec) async throws -> String? {
        if let field = source["fieldRef"]?["fieldPath"]?.stringValue {
            return try fieldValue(field)
        }
        if let reference = source["resourceFieldRef"] {
            return try resourceValue(reference, container: container)
        }
        for (kind, resource) in [("configMapKeyRef", ResourceRef.configMaps), ("secretKeyRef", ResourceRef.secrets)] {
            guard let reference = source[kind] else { continue }
            let name = reference["name"]?.stringValue ?? ""
            let key = reference["key"]?.stringValue ?? ""
            let optional = reference["optional"]?.boolValue ?? false
            let what = resource == .configMaps ? "configmap" : "secret"
            guard let object = try await lookup(resource, pod.namespace, name) else {
                if optional { return nil }
                throw ContainerConfigError("\(what) \"\(name)\" not found")
            }
            let data = resource == .configMaps ? Self.stringData(object) : Self.secretData(object)
            guard let value = data.first(where: { $0.key == key })?.value else {
                if optional { return nil }
                throw ContainerConfigError("couldn't find key \(key) in \(what) \(pod.namespace)/\(name)")
            }
            return value
        }
        throw ContainerConfigError("env valueFrom names no source")
    }

    /// The downward API's `fieldRef` paths.
    func fieldValue(_ path: String) throws -> String {
        switch path {
        case "metadata.name": return pod.name
        case "metadata.namespace": return pod.namespace
        case "metadata.uid": return pod.uid
        case "spec.nodeName": return pod.nodeName
        case "spec.serviceAccountName": return pod.serviceAccountName
        case "status.hostIP": return facts.hostIPs.first ?? ""
        case "status.hostIPs": return facts.hostIPs.joined(separator: ",")
        case "status.podIP": return facts.podIPs.first ?? ""
        case "status.podIPs": return facts.podIPs.joined(separator: ",")
        default: break
        }
        for (prefix, map) in [("metadata.labels", pod.object.labels), ("metadata.annotations", pod.object.annotations)] {
            guard path.hasPrefix(prefix + "['"), path.hasSuffix("']") else { continue }
            let key = String(path.dropFirst(prefix.count + 2).dropLast(2))
            return map[key] ?? ""
        }
        throw ContainerConfigError("unsupported fieldRef path \(path)")
    }

    /// `resourceFieldRef`: a request or limit of the named (or this) container, divided by
    /// `divisor` and rounded up; a missing limit is the node's allocatable.
    func resourceValue(_ reference: JSONValue, container: ContainerSpec) throws -> String {
        let resource = reference["resource"]?.stringValue ?? ""
        var target = container
        if let name = reference["containerName"]?.stringValue, !name.isEmpty {
            guard let named = pod.allContainers.first(where: { $0.name == name }) else {
                throw ContainerConfigError("resourceFieldRef names unknown container \(name)")
            }
            target = named
        }
        let divisor = reference["divisor"].flatMap { Quantity.value(of: $0) }.flatMap { $0 > 0 ? $0 : nil } ?? 1
        let parts = resource.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, ["limits", "requests"].contains(parts[0]) else {
            throw ContainerConfigError("unsupported resourceFieldRef resource \(resource)")
        }
        let allocatable: Double
        switch parts[1] {
        case "cpu": allocatable = facts.allocatableCPU
        case "memory": allocatable = facts.allocatableMemory
        case "ephemeral-storage": allocatable = facts.allocatableEphemeralStorage
        default: throw ContainerConfigError("unsupported resourceFieldRef resource \(resource)")
        }
        let value: Double
        if parts[0] == "limits" {
            value = target.quantity("limits", parts[1]) ?? allocatable
        } else {
            value = target.quantity("requests", parts[1]) ?? target.quantity("limits", parts[1]) ?? 0
        }
        let scaled = (value / divisor).rounded(.up)
        return String(Int64(scaled))
    }

    /// A ConfigMap's `data` (and `binaryData` decoded as UTF-8), sorted by key.
    static func stringData(_ object: JSONValue) -> [(key: String, value: String)] {
        var pairs: [(key: String, value: String)] = []
        for (key, value) in object["data"]?.objectValue ?? JSONObject() {
            if let string = value.stringValue { pairs.append((key, string)) }
        }
        for (key, value) in object["binaryData"]?.objectValue ?? JSONObject() {
            if let encoded = value.stringValue, let data = Data(base64Encoded: encoded) {
                pairs.append((key, String(decoding: data, as: UTF8.self)))
            }
        }
        return pairs.sorted { $0.key < $1.key }
    }

    /// A Secret's `data` (base64) decoded, and `stringData` if present, sorted by key.
    static func secretData(_ object: JSONValue) -> [(key: String, value: String)] {
        var pairs: [String: String] = [:]
        for (key, value) in object["data"]?.objectValue ?? JSONObject() {
            if let encoded = value.stringValue, let data = Data(base64Encoded: encoded) {
                pairs[key] = String(decoding: data, as: UTF8.self)
            }
        }
        for (key, value) in object["stringData"]?.objectValue ?? JSONObject() {
            if let string = value.stringValue { pairs[key] = string }
        }
        return pairs.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Kubernetes' `$(VAR)` expansion: a defined variable is replaced, an undefined reference
    /// stays as written, `$$` is an escaped `$`.
    static func expand(_ text: String, _ value: (String) -> String?) -> String {
        guard text.contains("$") else { return text }
        var result = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            guard character == "$" else {
                result.append(character)
                index = text.index(after: index)
                continue
            }
            let next = text.index(after: index)
            guard next < text.endIndex else { result.append("$"); break }
            if text[next] == "$" {
                result.append("$")
                index = text.index(after: next)
            } else if text[next] == "(", let close = text[next...].firstIndex(of: ")") {
                let name = String(text[text.index(after: next)..<close])
                if let replacement = value(name) {
                    result += replacement
                } else {
                    result += text[index...close]
                }
                index = text.index(after: close)
            } else {
                result.append("$")
                index = next
            }
        }
        return result
    }
}

/// Environment variables in first-definition order, later definitions replacing the value.
struct OrderedEnvironment: Sendable {
    private(set) var names: [String] = []
    private var values: [String: String] = [:]

    init() {}

    init(_ entries: [String]) {
        for entry in entries {
            let parts = entry.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            set(String(parts[0]), parts.count > 1 ? String(parts[1]) : "")
        }
    }

    mutating func set(_ name: String, _ value: String) {
        if values[name] == nil { names.append(name) }
        values[name] = value
    }

    func value(of name: String) -> String? { values[name] }

    var pairs: [(name: String, value: String)] { names.map { ($0, values[$0] ?? "") } }
    var entries: [String] { names.map { "\($0)=\(values[$0] ?? "")" } }
}
