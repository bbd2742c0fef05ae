import Foundation

/// Printers for the smaller groups: coordination, discovery, policy, scheduling, storage.
enum ClusterTablePrinters {
    static let lease = TablePrinter(columns: [.nameColumn(), TableColumn("Holder", "The current holder's identity."), .age]) { lease, now in
        [.string(lease.tableName), .string(lease.tableString("spec", "holderIdentity")), lease.tableAge(now)]
    }

    static let controllerRevision = TablePrinter(columns: [
        .nameColumn(), TableColumn("Controller", "The owning controller."), TableColumn("Revision", "The revision number."), .age,
    ]) { revision, now in
        let owner = revision.tableArray("metadata", "ownerReferences").first { $0["controller"]?.boolValue == true }
        let controller = owner.map { "\(($0["kind"]?.stringValue ?? "").lowercased()).\(($0["apiVersion"]?.stringValue ?? "").split(separator: "/").first.map(String.init) ?? "")/\($0["name"]?.stringValue ?? "")" } ?? "<none>"
        return [.string(revision.tableName), .string(controller), revision["revision"] ?? .int(0), revision.tableAge(now)]
    }

    static let endpointSlice = TablePrinter(columns: [
        .nameColumn(),
        TableColumn("AddressType", "IPv4, IPv6 or FQDN."),
        TableColumn("Ports", "The slice's ports."),
        TableColumn("Endpoints", "The endpoints' addresses."),
        .age,
    ]) { slice, now in
        let ports = slice.tableArray("ports").map { port -> String in
            if let number = port["port"]?.intValue { return String(number) }
            if let name = port["name"]?.stringValue { return name }
            return "*"
        }
        let addresses = slice.tableArray("endpoints").flatMap { ($0["addresses"]?.arrayValue ?? []).compactMap(\.stringValue) }
        return [.string(slice.tableName), .string(slice.tableString("addressType")), .string(limited(ports)),
                .string(limited(addresses)), slice.tableAge(now)]
    }

    /// The first three items, then "+ N more..."; "<unset>" when there are none.
    static func limited(_ items: [String]) -> String {
        let limit = 3
        let joined = items.prefix(limit).joined(separator: ",")
        if items.count > limit { return "\(joined) + \(items.count - limit) more..." }
        return joined.isEmpty ? "<unset>" : joined
    }

    static let podDisruptionBudget = TablePrinter(columns: [
        .nameColumn(),
        TableColumn("Min Available", "Pods that must stay available."),
        TableColumn("Max Unavailable", "Pods that may be unavailable."),
        TableColumn("Allowed Disruptions", type: "integer", "Disruptions allowed right now."),
        .age,
    ]) { pdb, now in
        [.string(pdb.tableName), .string(TableFormat.intOrString(pdb.value(at: ["spec", "minAvailable"])) ?? "N/A"),
         .string(TableFormat.intOrString(pdb.value(at: ["spec", "maxUnavailable"])) ?? "N/A"),
         .int(pdb.tableInt("status", "disruptionsAllowed")), pdb.tableAge(now)]
    }

    static let priorityClass = TablePrinter(columns: [
        .nameColumn(),
        TableColumn("Value", type: "integer", "The priority value."),
        TableColumn("Global-Default", type: "boolean", "Whether pods without a class get this one."),
        .age,
        TableColumn("PreemptionPolicy", "Whether pods of this class may preempt others."),
    ]) { pc, now in
        [.string(pc.tableName), .int(pc.tableInt("value")), .bool(pc["globalDefault"]?.boolValue ?? false), pc.tableAge(now),
         .string(pc.tableString("preemptionPolicy"))]
    }

    static let storageClass = TablePrinter(columns: [
        .nameColumn(),
        TableColumn("Provisioner", "The volume plugin that provisions volumes."),
        TableColumn("ReclaimPolicy", "Delete or Retain."),
        TableColumn("VolumeBindingMode", "Immediate or WaitForFirstConsumer."),
        TableColumn("AllowVolumeExpansion", "Whether claims may grow."),
        .age,
    ]) { sc, now in
        var name = sc.tableName
        let annotations = sc.tableObject("metadata", "annotations")
        if annotations?["storageclass.kubernetes.io/is-default-class"]?.stringValue == "true"
            || annotations?["storageclass.beta.kubernetes.io/is-default-class"]?.stringValue == "true" {
            name += " (default)"
        }
        let reclaim = sc["reclaimPolicy"]?.stringValue ?? "Delete"
        let binding = sc["volumeBindingMode"]?.stringValue ?? "Immediate"
        return [.string(name), .string(sc.tableString("provisioner")), .string(reclaim), .string(binding),
                .bool(sc["allowVolumeExpansion"]?.boolValue ?? false), sc.tableAge(now)]
    }
}
