import APIModel
import ClusterClient
import Foundation

/// Values of the downward API as files show them.
enum DownwardAPIValues {
    /// `metadata.name`, `.namespace`, `.uid`, `.labels`, `.annotations`, one label or
    /// annotation (`metadata.labels['app']`), and the pod fields the env form also allows.
    static func field(_ path: String, of pod: JSONValue, volume: String) throws -> String {
        switch path {
        case "metadata.name": return pod.name
        case "metadata.namespace": return pod.namespace ?? ""
        case "metadata.uid": return pod.uid
        case "metadata.labels": return formatMap(pod.labels)
        case "metadata.annotations": return formatMap(pod.annotations)
        case "spec.nodeName": return pod["spec"]?["nodeName"]?.stringValue ?? ""
        case "spec.serviceAccountName": return pod["spec"]?["serviceAccountName"]?.stringValue ?? ""
        case "status.podIP": return pod["status"]?["podIP"]?.stringValue ?? ""
        case "status.hostIP": return pod["status"]?["hostIP"]?.stringValue ?? ""
        default:
            for (prefix, map) in [("metadata.labels[", pod.labels), ("metadata.annotations[", pod.annotations)]
            where path.hasPrefix(prefix) && path.hasSuffix("]") {
                var key = String(path.dropFirst(prefix.count).dropLast())
                if key.count >= 2, let quote = key.first, quote == "'" || quote == "\"", key.last == quote {
                    key = String(key.dropFirst().dropLast())
                }
                return map[key] ?? ""
            }
            throw VolumeError.invalid(volume: volume, reason: "unsupported downward API fieldPath \"\(path)\"")
        }
    }

    /// `key="value"` lines sorted by key, values quoted with escapes (Go's %q).
    static func formatMap(_ map: [String: String]) -> String {
        map.keys.sorted().map { "\($0)=\(quoted(map[$0] ?? ""))\n" }.joined()
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7f {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\x" + (hex.count < 2 ? "0" + hex : hex)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// `limits.cpu`, `requests.memory`, …: the container's value divided by the divisor,
    /// rounded up; a missing limit is the node's capacity, a missing request the limit.
    static func resource(_ reference: JSONValue, of pod: JSONValue, node: NodeResources, volume: String) throws -> String {
        let containerName = reference["containerName"]?.stringValue ?? ""
        let resource = reference["resource"]?.stringValue ?? ""
        let containers = (pod["spec"]?["containers"]?.arrayValue ?? []) + (pod["spec"]?["initContainers"]?.arrayValue ?? [])
        guard let container = containers.first(where: { $0["name"]?.stringValue == containerName }) else {
            throw VolumeError.invalid(volume: volume, reason: "resourceFieldRef names no container \"\(containerName)\"")
        }
        let parts = resource.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2, ["limits", "requests"].contains(parts[0]),
              ["cpu", "memory", "ephemeral-storage"].contains(parts[1]) else {
            throw VolumeError.invalid(volume: volume, reason: "unsupported resourceFieldRef resource \"\(resource)\"")
        }
        let resources = container["resources"]
        let limit = resources?["limits"]?[parts[1]].flatMap(Quantity.value(of:))
        let request = resources?["requests"]?[parts[1]].flatMap(Quantity.value(of:))
        let capacity: Double
        switch parts[1] {
        case "cpu": capacity = Double(node.cpuCores)
        case "memory": capacity = Double(node.memoryBytes)
        default: capacity = 0
        }
        let value = parts[0] == "limits" ? (limit ?? capacity) : (request ?? limit ?? 0)
        let divisor = reference["divisor"].flatMap(Quantity.value(of:)) ?? 1
        guard divisor > 0 else { throw VolumeError.invalid(volume: volume, reason: "resourceFieldRef divisor must be positive") }
        // A tiny epsilon keeps 0.1/0.001 from rounding up past 100 through floating point.
        return String(Int64((value / divisor - 1e-9).rounded(.up)))
    }
}
