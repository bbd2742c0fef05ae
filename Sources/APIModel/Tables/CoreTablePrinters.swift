import Foundation

/// Printers for the core/v1 kinds other than pods and replication controllers.
enum CoreTablePrinters {
    static let namespace = TablePrinter(columns: [.nameColumn(), TableColumn("Status", "The namespace's phase."), .age]) { ns, now in
        [.string(ns.tableName), .string(ns.tableString("status", "phase")), ns.tableAge(now)]
    }

    static let configMap = TablePrinter(columns: [.nameColumn(), TableColumn("Data", "Number of data and binaryData keys."), .age]) { cm, now in
        let count = (cm.tableObject("data")?.count ?? 0) + (cm.tableObject("binaryData")?.count ?? 0)
        return [.string(cm.tableName), .int(Int64(count)), cm.tableAge(now)]
    }

    static let secret = TablePrinter(columns: [
        .nameColumn(), TableColumn("Type", "The secret's type."), TableColumn("Data", "Number of data keys."), .age,
    ]) { s, now in
        [.string(s.tableName), .string(s.tableString("type")), .int(Int64(s.tableObject("data")?.count ?? 0)), s.tableAge(now)]
    }

    static let serviceAccount = TablePrinter(columns: [.nameColumn(), TableColumn("Secrets", "Number of secrets listed."), .age]) { sa, now in
        [.string(sa.tableName), .int(Int64(sa.tableArray("secrets").count)), sa.tableAge(now)]
    }

    static let service = TablePrinter(columns: [
        .nameColumn(),
        TableColumn("Type", "How the service is exposed."),
        TableColumn("Cluster-IP", "The virtual IP inside the cluster."),
        TableColumn("External-IP", "Addresses reachable from outside the cluster."),
        TableColumn("Port(s)", "Ports, with node ports, and protocols."),
        .age,
        TableColumn("Selector", priority: 1, "The label selector of the backing pods."),
    ]) { svc, now in
        let clusterIPs = svc.tableArray("spec", "clusterIPs").compactMap(\.stringValue)
        var clusterIP = clusterIPs.first ?? ""
        if clusterIP.isEmpty { clusterIP = svc.tableString("spec", "clusterIP") }
        var ports = servicePorts(svc)
        if ports.isEmpty { ports = "<none>" }
        return [.string(svc.tableName), .string(svc.tableString("spec", "type")), .string(clusterIP.isEmpty ? "<none>" : clusterIP),
                .string(externalIP(svc)), .string(ports), svc.tableAge(now),
                .string(TableFormat.labels(svc.tableObject("spec", "selector")))]
    }

    static func servicePorts(_ svc: JSONValue) -> String {
        svc.tableArray("spec", "ports").map { port in
            let number = port["port"]?.intValue ?? 0
            let proto = port["protocol"]?.stringValue ?? "TCP"
            let nodePort = port["nodePort"]?.intValue ?? 0
            return nodePort > 0 ? "\(number):\(nodePort)/\(proto)" : "\(number)/\(proto)"
        }.joined(separator: ",")
    }

    static func externalIP(_ svc: JSONValue) -> String {
        let externalIPs = svc.tableArray("spec", "externalIPs").compactMap(\.stringValue)
        switch svc.tableString("spec", "type") {
        case "ClusterIP", "NodePort":
            return externalIPs.isEmpty ? "<none>" : externalIPs.joined(separator: ",")
        case "LoadBalancer":
            var ingress = Set<String>()
            for entry in svc.tableArray("status", "loadBalancer", "ingress") {
                let ip = entry["ip"]?.stringValue ?? ""
                let host = entry["hostname"]?.stringValue ?? ""
                if !ip.isEmpty { ingress.insert(ip) } else if !host.isEmpty { ingress.insert(host) }
            }
            let lb = ingress.sorted()
            if !externalIPs.isEmpty { return (lb + externalIPs).joined(separator: ",") }
            return lb.isEmpty ? "<pending>" : lb.joined(separator: ",")
        case "ExternalName":
            return svc.tableString("spec", "externalName")
        default:
            return "<unknown>"
        }
    }

    static let endpoints = TablePrinter(columns: [.nameColumn(), TableColumn("Endpoints", "Addresses and ports of the ready endpoints."), .age]) { ep, now in
        [.string(ep.tableName), .string(formatEndpoints(ep)), ep.tableAge(now)]
    }

    /// Up to three `ip:port` pairs (bare IPs for port-less subsets), then "+ N more...".
    static func formatEndpoints(_ ep: JSONValue) -> String {
        let subsets = ep.tableArray("subsets")
        if subsets.isEmpty { return "<none>" }
        let limit = 3
        var list: [String] = []
        var more = false
        var count = 0
        for subset in subsets {
            let addresses = subset["addresses"]?.arrayValue ?? []
            let ports = subset["ports"]?.arrayValue ?? []
            if ports.isEmpty {
                count += addresses.count
                for address in addresses {
                    if list.count == limit { more = true; break }
                    list.append(address["ip"]?.stringValue ?? "")
                }
                continue
            }
            for port in ports {
                count += addresses.count
                for address in addresses {
                    if list.count == limit { more = true; break }
                    list.append(joinHostPort(address["ip"]?.stringValue ?? "", port["port"]?.intValue ?? 0))
                }
            }
        }
        let joined = list.joined(separator: ",")
        return more ? "\(joined) + \(count - limit) more..." : joined
    }

    static func joinHostPort(_ host: String, _ port: Int64) -> String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }

    static let node = TablePrinter(columns: [
        .nameColumn(),
        TableColumn("Status", "Ready or NotReady, and SchedulingDisabled when cordoned."),
        TableColumn("Roles", "Roles from node-role.kubernetes.io/ labels."),
        .age,
        TableColumn("Version", "The kubelet version."),
        TableColumn("Internal-IP", priority: 1, "The node's internal address."),
        TableColumn("External-IP", priority: 1, "The node's external address."),
        TableColumn("OS-Image", priority: 1, "The operating system image."),
        TableColumn("Kernel-Version", priority: 1, "The kernel version."),
        TableColumn("Container-Runtime", priority: 1, "The container runtime and its version."),
    ]) { node, now in
        var status: [String] = []
        if let ready = node.tableArray("status", "conditions").last(where: { $0["type"]?.stringValue == "Ready" }) {
            status.append(ready["status"]?.stringValue == "True" ? "Ready" : "NotReady")
        }
        if status.isEmpty { status.append("Unknown") }
        if node.value(at: ["spec", "unschedulable"])?.boolValue == true { status.append("SchedulingDisabled") }
        var roles = Set<String>()
        for (key, value) in node.tableObject("metadata", "labels") ?? JSONObject() {
            if key.hasPrefix("node-role.kubernetes.io/") {
                let role = String(key.dropFirst("node-role.kubernetes.io/".count))
                if !role.isEmpty { roles.insert(role) }
            } else if key == "kubernetes.io/role", let v = value.stringValue, !v.isEmpty {
                roles.insert(v)
            }
        }
        let roleText = roles.isEmpty ? "<none>" : roles.sorted().joined(separator: ",")
        func address(_ type: String) -> String {
            node.tableArray("status", "addresses").first { $0["type"]?.stringValue == type }?["address"]?.stringValue ?? "<none>"
        }
        func info(_ key: String) -> String {
            let v = node.tableString("status", "nodeInfo", key)
            return v.isEmpty ? "<unknown>" : v
        }
        return [.string(node.tableName), .string(status.joined(separator: ",")), .string(roleText), node.tableAge(now),
                .string(node.tableString("status", "nodeInfo", "kubeletVersion")),
                .string(address("InternalIP")), .string(address("ExternalIP")),
                .string(info("osImage")), .string(info("kernelVersion")), .string(info("containerRuntimeVersion"))]
    }

    static let persistentVolume = TablePrinter(columns: [
        .nameColumn(),
        TableColumn("Capacity", "The volume's storage capacity."),
        TableColumn("Access Modes", "RWO, ROX, RWX, RWOP."),
        TableColumn("Reclaim Policy", "What happens to the volume when released."),
        TableColumn("Status", "The volume's phase."),
        TableColumn("Claim", "The bound claim, namespace/name."),
        TableColumn("StorageClass", "The volume's storage class."),
        TableColumn("VolumeAttributesClass", "The volume's attributes class."),
        TableColumn("Reason", "Why the volume is in its phase."),
        .age,
        TableColumn("VolumeMode", priority: 1, "Filesystem or Block."),
    ]) { pv, now in
        var claim = ""
        if pv.tableHas("spec", "claimRef") {
            claim = pv.tableString("spec", "claimRef", "namespace") + "/" + pv.tableString("spec", "claimRef", "name")
        }
        let phase = pv.tableHas("metadata", "deletionTimestamp") ? "Terminating" : pv.tableString("status", "phase")
        return [.string(pv.tableName), .string(quantity(pv.value(at: ["spec", "capacity", "storage"]))),
                .string(accessModes(pv.tableArray("spec", "accessModes"))),
                .string(pv.tableString("spec", "persistentVolumeReclaimPolicy")), .string(phase), .string(claim),
                .string(storageClass(pv)), .string(pv.value(at: ["spec", "volumeAttributesClassName"])?.stringValue ?? "<unset>"),
                .string(pv.tableString("status", "reason")), pv.tableAge(now),
                .string(pv.value(at: ["spec", "volumeMode"])?.stringValue ?? "<unset>")]
    }

    static let persistentVolumeClaim = TablePrinter(columns: [
        .nameColumn(),
        TableColumn("Status", "The claim's phase."),
        TableColumn("Volume", "The bound volume."),
        TableColumn("Capacity", "The bound volume's capacity."),
        TableColumn("Access Modes", "RWO, ROX, RWX, RWOP."),
        TableColumn("StorageClass", "The claim's storage class."),
        TableColumn("VolumeAttributesClass", "The claim's attributes class."),
        .age,
        TableColumn("VolumeMode", priority: 1, "Filesystem or Block."),
    ]) { pvc, now in
        let phase = pvc.tableHas("metadata", "deletionTimestamp") ? "Terminating" : pvc.tableString("status", "phase")
        let volume = pvc.tableString("spec", "volumeName")
        var capacity = ""
        var modes = ""
        if !volume.isEmpty {
            modes = accessModes(pvc.tableArray("status", "accessModes"))
            capacity = quantity(pvc.value(at: ["status", "capacity", "storage"]))
        }
        return [.string(pvc.tableName), .string(phase), .string(volume), .string(capacity), .string(modes),
                .string(storageClass(pvc)), .string(pvc.value(at: ["spec", "volumeAttributesClassName"])?.stringValue ?? "<unset>"),
                pvc.tableAge(now), .string(pvc.value(at: ["spec", "volumeMode"])?.stringValue ?? "<unset>")]
    }

    /// A quantity as written ("0" when unset; numbers as their decimal text).
    static func quantity(_ value: JSONValue?) -> String {
        switch value {
        case .string(let s)?: return s
        case .int(let i)?: return String(i)
        case .double(let d)?: return String(d)
        default: return "0"
        }
    }

    static func accessModes(_ modes: [JSONValue]) -> String {
        let set = Set(modes.compactMap(\.stringValue))
        return [("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"), ("ReadWriteOncePod", "RWOP")]
            .filter { set.contains($0.0) }.map(\.1).joined(separator: ",")
    }

    /// The beta storage-class annotation wins over spec.storageClassName, as in Kubernetes.
    static func storageClass(_ object: JSONValue) -> String {
        if let annotated = object.value(at: ["metadata", "annotations", "volume.beta.kubernetes.io/storage-class"])?.stringValue {
            return annotated
        }
        return object.tableString("spec", "storageClassName")
    }
}
