import Foundation

/// What a Table row carries besides its cells (`includeObject` query parameter).
public enum TableIncludeObject: String, Sendable {
    case none = "None"
    case metadata = "Metadata"
    case object = "Object"
}

/// Server-side printing: the `meta.k8s.io/v1` Table kubectl asks for with
/// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`. kubectl prints the cells as they
/// come, so the columns and cell texts here are the ones `kubectl get` users know.
public enum TableConvertor {
    /// A `meta.k8s.io/v1` Table with the standard kubectl columns for the resource (every built-in
    /// kind in ResourceRegistry.all; a generic Name/Age table otherwise). Cells pre-rendered, Age
    /// included; priority 1 columns are the `-o wide` ones; row.object per includeObject
    /// (metadata → PartialObjectMetadata).
    public static func table(resource: ResourceInfo, objects: [JSONValue], includeObject: TableIncludeObject,
                             resourceVersion: String?, continueToken: String?, now: Date) -> JSONValue
    {
        let printer = self.printer(for: resource)
        var metadata = JSONObject()
        if let resourceVersion { metadata["resourceVersion"] = .string(resourceVersion) }
        if let continueToken, !continueToken.isEmpty { metadata["continue"] = .string(continueToken) }
        let isPod = resource.group.isEmpty && resource.kind == "Pod"
        let rows: [JSONValue] = objects.map { object in
            var row = JSONObject()
            row["cells"] = .array(printer.cells(object, now))
            if isPod, let conditions = PodTablePrinter.rowConditions(object) { row["conditions"] = conditions }
            switch includeObject {
            case .none: break
            case .object: row["object"] = object
            case .metadata:
                row["object"] = ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                 "metadata": object["metadata"] ?? .emptyObject]
            }
            return .object(row)
        }
        return ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": .object(metadata),
                "columnDefinitions": .array(printer.columns.map(\.json)), "rows": .array(rows)]
    }

    public static func columnDefinitions(for resource: ResourceInfo) -> [JSONValue] {
        printer(for: resource).columns.map(\.json)
    }

    public static func cells(for object: JSONValue, resource: ResourceInfo, now: Date) -> [JSONValue] {
        printer(for: resource).cells(object, now)
    }

    /// Name and Age, for kinds without a printer of their own.
    static let generic = TablePrinter(columns: [.nameColumn(), .age]) { object, now in
        [.string(object.tableName), object.tableAge(now)]
    }

    static let printers: [String: TablePrinter] = [
        "/Pod": PodTablePrinter.printer,
        "/Namespace": CoreTablePrinters.namespace,
        "/Service": CoreTablePrinters.service,
        "/Endpoints": CoreTablePrinters.endpoints,
        "/ConfigMap": CoreTablePrinters.configMap,
        "/Secret": CoreTablePrinters.secret,
        "/Node": CoreTablePrinters.node,
        "/Event": EventTablePrinter.core,
        "/ServiceAccount": CoreTablePrinters.serviceAccount,
        "/PersistentVolume": CoreTablePrinters.persistentVolume,
        "/PersistentVolumeClaim": CoreTablePrinters.persistentVolumeClaim,
        "/ReplicationController": WorkloadTablePrinters.replicationController,
        "apps/Deployment": WorkloadTablePrinters.deployment,
        "apps/ReplicaSet": WorkloadTablePrinters.replicaSet,
        "apps/StatefulSet": WorkloadTablePrinters.statefulSet,
        "apps/DaemonSet": WorkloadTablePrinters.daemonSet,
        "apps/ControllerRevision": ClusterTablePrinters.controllerRevision,
        "batch/Job": WorkloadTablePrinters.job,
        "batch/CronJob": WorkloadTablePrinters.cronJob,
        "coordination.k8s.io/Lease": ClusterTablePrinters.lease,
        "discovery.k8s.io/EndpointSlice": ClusterTablePrinters.endpointSlice,
        "events.k8s.io/Event": EventTablePrinter.eventsV1,
        "policy/PodDisruptionBudget": ClusterTablePrinters.podDisruptionBudget,
        "scheduling.k8s.io/PriorityClass": ClusterTablePrinters.priorityClass,
        "storage.k8s.io/StorageClass": ClusterTablePrinters.storageClass,
    ]

    static func printer(for resource: ResourceInfo) -> TablePrinter {
        printers["\(resource.group)/\(resource.kind)"] ?? generic
    }
}
