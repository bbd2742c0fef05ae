import Foundation
import Testing

@testable import APIModel

/// Real cell values for realistic objects of every other kind.
@Suite struct TableKindTests {
    static func meta(_ name: String, age: Double = 600) -> JSONValue {
        ["name": .string(name), "namespace": "default", "creationTimestamp": TableClock.ago(age)]
    }

    static let template: JSONValue = ["metadata": ["labels": ["app": "web"]],
                                      "spec": ["containers": [["name": "web", "image": "nginx:1.27"],
                                                              ["name": "log", "image": "busybox:1.36"]]]]

    @Test func deployment() {
        let d: JSONValue = ["metadata": Self.meta("web", age: 7500), "spec": [
            "replicas": 3, "template": Self.template,
            "selector": ["matchLabels": ["app": "web"],
                         "matchExpressions": [["key": "tier", "operator": "In", "values": ["b", "a"]],
                                              ["key": "legacy", "operator": "DoesNotExist"]]],
        ], "status": ["readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2]]
        #expect(TableClock.cells("apps", "Deployment", d) ==
            ["web", "2/3", 3, 2, "125m", "web,log", "nginx:1.27,busybox:1.36", "app=web,!legacy,tier in (a,b)"])
        let fresh: JSONValue = ["metadata": Self.meta("new", age: 4), "spec": ["template": Self.template]]
        #expect(TableClock.row("apps", "Deployment", fresh)["Ready"] == "0/1")
        #expect(TableConvertor.columnDefinitions(for: TableClock.resource("apps", "Deployment")).compactMap { $0["name"]?.stringValue } ==
            ["Name", "Ready", "Up-to-date", "Available", "Age", "Containers", "Images", "Selector"])
    }

    @Test func replicaSetStatefulSetDaemonSetReplicationController() {
        let rs: JSONValue = ["metadata": Self.meta("web-5d8"), "spec": ["replicas": 3, "template": Self.template,
                                                                        "selector": ["matchLabels": ["app": "web", "pod-template-hash": "5d8"]]],
                             "status": ["replicas": 3, "readyReplicas": 1]]
        #expect(TableClock.cells("apps", "ReplicaSet", rs) ==
            ["web-5d8", 3, 3, 1, "10m", "web,log", "nginx:1.27,busybox:1.36", "app=web,pod-template-hash=5d8"])
        let sts: JSONValue = ["metadata": Self.meta("db"), "spec": ["replicas": 2, "template": Self.template], "status": ["readyReplicas": 2]]
        #expect(TableClock.cells("apps", "StatefulSet", sts) == ["db", "2/2", "10m", "web,log", "nginx:1.27,busybox:1.36"])
        let ds: JSONValue = ["metadata": Self.meta("agent"), "spec": [
            "selector": ["matchLabels": ["app": "agent"]],
            "template": ["spec": ["containers": [["name": "a", "image": "agent:1"]], "nodeSelector": ["kubernetes.io/os": "linux"]]],
        ], "status": ["desiredNumberScheduled": 3, "currentNumberScheduled": 3, "numberReady": 2, "updatedNumberScheduled": 3,
                      "numberAvailable": 2]]
        #expect(TableClock.cells("apps", "DaemonSet", ds) ==
            ["agent", 3, 3, 2, 3, 2, "kubernetes.io/os=linux", "10m", "a", "agent:1", "app=agent"])
        let rc: JSONValue = ["metadata": Self.meta("old"), "spec": ["replicas": 2, "selector": ["app": "old"], "template": Self.template],
                             "status": ["replicas": 2, "readyReplicas": 2]]
        #expect(TableClock.cells("", "ReplicationController", rc) ==
            ["old", 2, 2, 2, "10m", "web,log", "nginx:1.27,busybox:1.36", "app=old"])
    }

    static func service(_ type: String, ports: [JSONValue], extra: JSONValue = [:], status: JSONValue = [:]) -> JSONValue {
        var spec: JSONValue = ["type": .string(type), "clusterIP": "10.96.0.20", "clusterIPs": ["10.96.0.20"],
                               "ports": .array(ports), "selector": ["app": "web", "tier": "front"]]
        for (k, v) in extra.objectValue ?? JSONObject() { spec[k] = v }
        return ["metadata": Self.meta("web", age: 45 * 86400), "spec": spec, "status": status]
    }

    @Test func services() {
        let clusterIP = Self.service("ClusterIP", ports: [["port": 80, "protocol": "TCP", "targetPort": 8080],
                                                          ["port": 53, "protocol": "UDP", "targetPort": 53]])
        #expect(TableClock.cells("", "Service", clusterIP) ==
            ["web", "ClusterIP", "10.96.0.20", "<none>", "80/TCP,53/UDP", "45d", "app=web,tier=front"])
        let nodePort = Self.service("NodePort", ports: [["port": 80, "protocol": "TCP", "nodePort": 30080]],
                                    extra: ["externalIPs": ["192.0.2.10"]])
        #expect(TableClock.row("", "Service", nodePort)["Port(s)"] == "80:30080/TCP")
        #expect(TableClock.row("", "Service", nodePort)["External-IP"] == "192.0.2.10")
        let pending = Self.service("LoadBalancer", ports: [["port": 443, "protocol": "TCP", "nodePort": 31443]])
        #expect(TableClock.row("", "Service", pending)["External-IP"] == "<pending>")
        let assigned = Self.service("LoadBalancer", ports: [["port": 443, "protocol": "TCP", "nodePort": 31443]],
                                    status: ["loadBalancer": ["ingress": [["ip": "203.0.113.9"], ["hostname": "lb.example.com"]]]])
        #expect(TableClock.row("", "Service", assigned)["External-IP"] == "203.0.113.9,lb.example.com")
        let external: JSONValue = ["metadata": Self.meta("ext"), "spec": ["type": "ExternalName", "externalName": "example.com"]]
        #expect(TableClock.cells("", "Service", external) == ["ext", "ExternalName", "<none>", "example.com", "<none>", "10m", "<none>"])
        let headless = Self.service("ClusterIP", ports: [["port": 5432, "protocol": "TCP"]], extra: ["clusterIP": "None", "clusterIPs": ["None"]])
        #expect(TableClock.row("", "Service", headless)["Cluster-IP"] == "None")
    }

    @Test func jobs() {
        let complete: JSONValue = ["metadata": Self.meta("once", age: 300), "spec": ["completions": 1, "parallelism": 1,
                                                                                       "template": Self.template,
                                                                                       "selector": ["matchLabels": ["batch.kubernetes.io/controller-uid": "u1"]]],
                                   "status": ["succeeded": 1, "startTime": TableClock.ago(290), "completionTime": TableClock.ago(278),
                                              "conditions": [["type": "Complete", "status": "True"]]]]
        #expect(TableClock.cells("batch", "Job", complete) ==
            ["once", "Complete", "1/1", "12s", "5m", "web,log", "nginx:1.27,busybox:1.36", "batch.kubernetes.io/controller-uid=u1"])
        let running: JSONValue = ["metadata": Self.meta("work"), "spec": ["parallelism": 3, "template": Self.template],
                                  "status": ["succeeded": 1, "active": 2, "startTime": TableClock.ago(182)]]
        let row = TableClock.row("batch", "Job", running)
        #expect(row["Status"] == "Running")
        #expect(row["Completions"] == "1/1 of 3")
        #expect(row["Duration"] == "3m2s")
        let failed: JSONValue = ["metadata": Self.meta("bad"), "spec": ["completions": 2, "template": Self.template],
                                 "status": ["failed": 6, "conditions": [["type": "Failed", "status": "True"]]]]
        #expect(TableClock.row("batch", "Job", failed)["Status"] == "Failed")
        #expect(TableClock.row("batch", "Job", failed)["Completions"] == "0/2")
        #expect(TableClock.row("batch", "Job", failed)["Duration"] == "")
        let suspended: JSONValue = ["metadata": Self.meta("later"), "spec": ["template": Self.template],
                                    "status": ["conditions": [["type": "Suspended", "status": "True"]]]]
        #expect(TableClock.row("batch", "Job", suspended)["Status"] == "Suspended")
        #expect(TableClock.row("batch", "Job", suspended)["Completions"] == "0/1")
    }

    @Test func cronJob() {
        let cj: JSONValue = ["metadata": Self.meta("nightly", age: 86400 * 2), "spec": [
            "schedule": "*/5 * * * *", "suspend": false,
            "jobTemplate": ["spec": ["template": ["spec": ["containers": [["name": "c", "image": "busybox:1.36"]]]]]],
        ], "status": ["active": [["name": "nightly-1"]], "lastScheduleTime": TableClock.ago(300)]]
        #expect(TableClock.cells("batch", "CronJob", cj) ==
            ["nightly", "*/5 * * * *", "<none>", "False", 1, "5m", "2d", "c", "busybox:1.36", "<none>"])
        let never: JSONValue = ["metadata": Self.meta("new"), "spec": ["schedule": "@daily", "timeZone": "Europe/Berlin"]]
        let row = TableClock.row("batch", "CronJob", never)
        #expect(row["Last Schedule"] == "<none>")
        #expect(row["Timezone"] == "Europe/Berlin")
        #expect(row["Suspend"] == "<unset>")
        #expect(row["Active"] == 0)
    }

    @Test func nodeNamespaceConfigMapSecretServiceAccount() {
        let node: JSONValue = ["metadata": ["name": "node-a", "creationTimestamp": TableClock.ago(10 * 86400),
                                            "labels": ["node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "worker"]],
                               "spec": ["unschedulable": true],
                               "status": ["conditions": [["type": "MemoryPressure", "status": "False"], ["type": "Ready", "status": "True"]],
                                          "addresses": [["type": "InternalIP", "address": "192.168.1.10"], ["type": "Hostname", "address": "node-a"]],
                                          "nodeInfo": ["kubeletVersion": "v1.32.4", "osImage": "Debian GNU/Linux 12",
                                                       "kernelVersion": "6.1.0", "containerRuntimeVersion": "skiff://0.1"]]]
        #expect(TableClock.cells("", "Node", node) ==
            ["node-a", "Ready,SchedulingDisabled", "control-plane,worker", "10d", "v1.32.4", "192.168.1.10", "<none>",
             "Debian GNU/Linux 12", "6.1.0", "skiff://0.1"])
        let bare: JSONValue = ["metadata": ["name": "n2"]]
        #expect(TableClock.cells("", "Node", bare) ==
            ["n2", "Unknown", "<none>", "<unknown>", "", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"])
        #expect(TableClock.cells("", "Namespace", ["metadata": Self.meta("team-a"), "status": ["phase": "Terminating"]]) ==
            ["team-a", "Terminating", "10m"])
        #expect(TableClock.cells("", "ConfigMap", ["metadata": Self.meta("cfg"), "data": ["a": "1", "b": "2"], "binaryData": ["c": "AA=="]]) ==
            ["cfg", 3, "10m"])
        #expect(TableClock.cells("", "Secret", ["metadata": Self.meta("tls"), "type": "kubernetes.io/tls",
                                               "data": ["tls.crt": "eA==", "tls.key": "eA=="]]) ==
            ["tls", "kubernetes.io/tls", 2, "10m"])
        #expect(TableClock.cells("", "ServiceAccount", ["metadata": Self.meta("default")]) == ["default", 0, "10m"])
    }

    @Test func events() {
        let event: JSONValue = ["metadata": Self.meta("web-1.17a"), "involvedObject": ["kind": "Pod", "name": "web-1",
                                                                                       "fieldPath": "spec.containers{app}"],
                                "reason": "BackOff", "message": "Back-off restarting failed container\n", "type": "Warning",
                                "source": ["component": "kubelet", "host": "node-a"], "count": 7,
                                "firstTimestamp": TableClock.ago(3600), "lastTimestamp": TableClock.ago(30)]
        #expect(TableClock.cells("", "Event", event) ==
            ["30s", "Warning", "BackOff", "pod/web-1", "spec.containers{app}", "kubelet, node-a",
             "Back-off restarting failed container", "60m", 7, "web-1.17a"])
        let modern: JSONValue = ["metadata": Self.meta("web.1"), "regarding": ["kind": "Deployment", "name": "web"],
                                 "reason": "ScalingReplicaSet", "note": "Scaled up replica set web-5d8 to 3", "type": "Normal",
                                 "reportingController": "deployment-controller", "eventTime": "2023-11-14T22:12:20.000000Z"]
        #expect(TableClock.cells("events.k8s.io", "Event", modern) ==
            ["60s", "Normal", "ScalingReplicaSet", "deployment/web", "", "deployment-controller",
             "Scaled up replica set web-5d8 to 3", "60s", 1, "web.1"])
        let series: JSONValue = ["metadata": Self.meta("e"), "involvedObject": ["kind": "Node"], "type": "Normal", "reason": "R",
                                 "eventTime": TableClock.ago(600), "series": ["count": 4, "lastObservedTime": "2023-11-14T22:13:10.000000Z"]]
        let row = TableClock.row("", "Event", series)
        #expect(row["Last Seen"] == "10s")
        #expect(row["Count"] == 4)
        #expect(row["Object"] == "node")
        #expect(TableConvertor.columnDefinitions(for: TableClock.resource("", "Event")).compactMap { $0["name"]?.stringValue } ==
            ["Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen", "Count", "Name"])
    }

    @Test func endpointsAndSlices() {
        let ep: JSONValue = ["metadata": Self.meta("web"), "subsets": [
            ["addresses": [["ip": "10.1.0.1"], ["ip": "10.1.0.2"], ["ip": "10.1.0.3"]], "ports": [["port": 8080], ["port": 9090]]],
        ]]
        #expect(TableClock.cells("", "Endpoints", ep) == ["web", "10.1.0.1:8080,10.1.0.2:8080,10.1.0.3:8080 + 3 more...", "10m"])
        #expect(TableClock.cells("", "Endpoints", ["metadata": Self.meta("none")]) == ["none", "<none>", "10m"])
        let v6: JSONValue = ["metadata": Self.meta("v6"), "subsets": [["addresses": [["ip": "fd00::1"]], "ports": [["port": 80]]]]]
        #expect(TableClock.row("", "Endpoints", v6)["Endpoints"] == "[fd00::1]:80")
        let slice: JSONValue = ["metadata": Self.meta("web-abc"), "addressType": "IPv4", "ports": [["port": 8080], ["name": "metrics"]],
                                "endpoints": [["addresses": ["10.1.0.1"]], ["addresses": ["10.1.0.2"]]]]
        #expect(TableClock.cells("discovery.k8s.io", "EndpointSlice", slice) == ["web-abc", "IPv4", "8080,metrics", "10.1.0.1,10.1.0.2", "10m"])
        #expect(TableClock.cells("discovery.k8s.io", "EndpointSlice", ["metadata": Self.meta("e"), "addressType": "IPv4"]) ==
            ["e", "IPv4", "<unset>", "<unset>", "10m"])
    }

    @Test func volumesAndClaims() {
        let pv: JSONValue = ["metadata": ["name": "pv-1", "creationTimestamp": TableClock.ago(600)],
                             "spec": ["capacity": ["storage": "10Gi"], "accessModes": ["ReadWriteMany", "ReadWriteOnce"],
                                      "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "local",
                                      "claimRef": ["namespace": "default", "name": "data"], "volumeMode": "Filesystem"],
                             "status": ["phase": "Bound"]]
        #expect(TableClock.cells("", "PersistentVolume", pv) ==
            ["pv-1", "10Gi", "RWO,RWX", "Retain", "Bound", "default/data", "local", "<unset>", "", "10m", "Filesystem"])
        let pvc: JSONValue = ["metadata": Self.meta("data"), "spec": ["volumeName": "pv-1", "storageClassName": "local",
                                                                     "resources": ["requests": ["storage": "5Gi"]]],
                              "status": ["phase": "Bound", "capacity": ["storage": "10Gi"], "accessModes": ["ReadWriteOnce"]]]
        #expect(TableClock.cells("", "PersistentVolumeClaim", pvc) ==
            ["data", "Bound", "pv-1", "10Gi", "RWO", "local", "<unset>", "10m", "<unset>"])
        let pending: JSONValue = ["metadata": Self.meta("new"), "spec": ["storageClassName": "local"], "status": ["phase": "Pending"]]
        #expect(TableClock.cells("", "PersistentVolumeClaim", pending) == ["new", "Pending", "", "", "", "local", "<unset>", "10m", "<unset>"])
    }

    @Test func smallerGroups() {
        #expect(TableClock.cells("coordination.k8s.io", "Lease", ["metadata": Self.meta("node-a"), "spec": ["holderIdentity": "node-a"]]) ==
            ["node-a", "node-a", "10m"])
        let pdb: JSONValue = ["metadata": Self.meta("web"), "spec": ["minAvailable": 2], "status": ["disruptionsAllowed": 1]]
        #expect(TableClock.cells("policy", "PodDisruptionBudget", pdb) == ["web", "2", "N/A", 1, "10m"])
        let pdbPercent: JSONValue = ["metadata": Self.meta("api"), "spec": ["maxUnavailable": "25%"]]
        #expect(TableClock.cells("policy", "PodDisruptionBudget", pdbPercent) == ["api", "N/A", "25%", 0, "10m"])
        let pc: JSONValue = ["metadata": ["name": "high", "creationTimestamp": TableClock.ago(600)], "value": 1000,
                             "globalDefault": true, "preemptionPolicy": "Never"]
        #expect(TableClock.cells("scheduling.k8s.io", "PriorityClass", pc) == ["high", 1000, true, "10m", "Never"])
        let sc: JSONValue = ["metadata": ["name": "local", "creationTimestamp": TableClock.ago(600),
                                          "annotations": ["storageclass.kubernetes.io/is-default-class": "true"]],
                             "provisioner": "skiff.dev/local", "volumeBindingMode": "WaitForFirstConsumer", "allowVolumeExpansion": true]
        #expect(TableClock.cells("storage.k8s.io", "StorageClass", sc) ==
            ["local (default)", "skiff.dev/local", "Delete", "WaitForFirstConsumer", true, "10m"])
    }

    /// Every served kind renders exactly one cell per column, even for an empty object.
    @Test(arguments: ResourceRegistry.all.map { "\($0.group)/\($0.kind)" })
    func everyKindHasMatchingCells(_ key: String) {
        guard let resource = ResourceRegistry.all.first(where: { "\($0.group)/\($0.kind)" == key }) else { return }
        let columns = TableConvertor.columnDefinitions(for: resource)
        #expect(columns.count > 2, "\(key) uses the generic table")
        for object: JSONValue in [[:], ["metadata": ["name": "x", "creationTimestamp": TableClock.ago(1)]]] {
            let cells = TableConvertor.cells(for: object, resource: resource, now: TableClock.now)
            #expect(cells.count == columns.count, "\(key)")
        }
        for column in columns {
            #expect(column["name"]?.stringValue?.isEmpty == false)
            #expect(column["type"]?.stringValue != nil)
            #expect(column["format"]?.stringValue != nil)
            #expect(column["description"]?.stringValue != nil)
            #expect(column["priority"]?.intValue != nil)
        }
    }
}

/// The Table document around the cells.
@Suite struct TableDocumentTests {
    static let pod: JSONValue = [
        "kind": "Pod", "apiVersion": "v1",
        "metadata": ["name": "p1", "namespace": "default", "labels": ["app": "web"], "resourceVersion": "7",
                     "creationTimestamp": TableClock.ago(300)],
        "spec": ["containers": [["name": "c", "image": "nginx"]]],
        "status": ["phase": "Succeeded", "containerStatuses": [["name": "c", "ready": false, "restartCount": 0,
                                                                "state": ["terminated": ["exitCode": 0, "reason": "Completed"]]]]],
    ]

    @Test func tableWithMetadataRows() {
        let table = TableConvertor.table(resource: TableClock.resource("", "Pod"), objects: [Self.pod], includeObject: .metadata,
                                         resourceVersion: "102", continueToken: "abc", now: TableClock.now)
        #expect(table["kind"] == "Table")
        #expect(table["apiVersion"] == "meta.k8s.io/v1")
        #expect(table["metadata"] == ["resourceVersion": "102", "continue": "abc"])
        #expect(table["columnDefinitions"]?[0] == ["name": "Name", "type": "string", "format": "name",
                                                   "description": "The object's name, unique within its namespace.", "priority": 0])
        let row = table["rows"]?[0]
        #expect(row?["cells"] == ["p1", "0/1", "Completed", "0", "5m", "<none>", "<none>", "<none>", "<none>"])
        #expect(row?["object"] == ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": Self.pod["metadata"] ?? nil])
        #expect(row?["conditions"]?[0]?["type"] == "Completed")
    }

    @Test func includeObjectNoneAndObject() {
        let resource = TableClock.resource("", "Pod")
        let none = TableConvertor.table(resource: resource, objects: [Self.pod], includeObject: .none,
                                        resourceVersion: nil, continueToken: nil, now: TableClock.now)
        #expect(none["rows"]?[0]?["object"] == nil)
        #expect(none["metadata"] == [:])
        let full = TableConvertor.table(resource: resource, objects: [Self.pod], includeObject: .object,
                                        resourceVersion: "1", continueToken: nil, now: TableClock.now)
        #expect(full["rows"]?[0]?["object"] == Self.pod)
        let empty = TableConvertor.table(resource: resource, objects: [], includeObject: .metadata,
                                         resourceVersion: "1", continueToken: nil, now: TableClock.now)
        #expect(empty["rows"] == [])
        #expect(empty["columnDefinitions"]?.arrayValue?.count == 9)
    }

    @Test func includeObjectParsesQueryValues() {
        #expect(TableIncludeObject(rawValue: "Metadata") == .metadata)
        #expect(TableIncludeObject(rawValue: "Object") == .object)
        #expect(TableIncludeObject(rawValue: "None") == TableIncludeObject.none)
    }
}
