/// Which fields each kind can be selected by, and how a field's value is read from an object.
///
/// Every kind supports `metadata.name` and `metadata.namespace`; the rest follows the
/// field-label conversions Kubernetes registers per kind (pods by node, phase, IP; events
/// by involved object, reason and type; nodes by schedulability; secrets by type).
extension FieldSelector {
    public static func supportedFields(for resource: ResourceInfo) -> Set<String> {
        var fields: Set<String> = ["metadata.name", "metadata.namespace"]
        switch (resource.group, resource.plural) {
        case ("", "pods"):
            fields.formUnion([
                "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
                "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName",
            ])
        case ("", "events"):
            fields.formUnion([
                "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                "reason", "reportingComponent", "source", "type",
            ])
        case ("events.k8s.io", "events"):
            fields.formUnion([
                "regarding.kind", "regarding.namespace", "regarding.name", "regarding.uid", "regarding.apiVersion",
                "regarding.resourceVersion", "regarding.fieldPath", "reason", "reportingController", "type",
            ])
        case ("", "nodes"):
            fields.insert("spec.unschedulable")
        case ("", "secrets"):
            fields.insert("type")
        case ("", "namespaces"):
            fields.insert("status.phase")
        case ("", "replicationcontrollers"), ("apps", "replicasets"):
            fields.insert("status.replicas")
        case ("batch", "jobs"):
            fields.insert("status.successful")
        case ("certificates.k8s.io", "certificatesigningrequests"):
            fields.insert("spec.signerName")
        default:
            break
        }
        return fields
    }

    /// The field's value as Kubernetes renders it for selection: strings as they are,
    /// numbers and booleans in decimal/`true`/`false`, a missing field as its zero value
    /// (`""`, or `false` for `spec.unschedulable`/`spec.hostNetwork`, `0` for counts).
    public static func fieldValue(_ field: String, of object: JSONValue) -> String {
        switch field {
        case "metadata.name": return object["metadata"]?["name"]?.stringValue ?? ""
        case "metadata.namespace": return object["metadata"]?["namespace"]?.stringValue ?? ""
        case "status.podIPs":
            // Kubernetes matches the first (primary) IP here.
            return object["status"]?["podIPs"]?[0]?["ip"]?.stringValue ?? ""
        case "source":
            return object["source"]?["component"]?.stringValue ?? ""
        default:
            break
        }
        var current: JSONValue? = object
        for part in field.split(separator: ".") {
            current = current?[String(part)]
        }
        switch current {
        case .string(let string)?: return string
        case .bool(let bool)?: return bool ? "true" : "false"
        case .int(let int)?: return String(int)
        case .double(let double)?: return double == double.rounded() && abs(double) < 1e15 ? String(Int64(double)) : String(double)
        default:
            switch field {
            case "spec.unschedulable", "spec.hostNetwork": return "false"
            case "status.replicas", "status.successful": return "0"
            default: return ""
            }
        }
    }
}
