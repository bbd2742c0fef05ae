import Testing

@testable import APIModel

/// Field ownership for non-apply writes, and the FieldsV1 encoding itself.
@Suite("Managed fields")
struct ManagedFieldsTests {
    static let t0 = "2026-01-01T00:00:00Z"
    static let t1 = "2026-01-01T00:01:00Z"

    func json(_ text: String) -> JSONValue {
        (try? JSONValue(json: text)) ?? .null
    }

    func record(old: JSONValue?, new: JSONValue, manager: String, subresource: String? = nil,
                schema: Schema = PodSchemas.pod, apiVersion: String = "v1", time: String = t0) -> JSONValue
    {
        ManagedFields.recordUpdate(old: old, new: new, manager: manager, subresource: subresource,
                                   apiVersion: apiVersion, time: time, schema: schema)
    }

    func entries(_ object: JSONValue) -> [JSONValue] {
        object["metadata"]?["managedFields"]?.arrayValue ?? []
    }

    func fields(_ object: JSONValue, _ manager: String, _ operation: String = "Update") -> JSONValue? {
        entries(object).first { $0["manager"]?.stringValue == manager && $0["operation"]?.stringValue == operation }?["fieldsV1"]
    }

    /// A pod as `kubectl create` stores it (after defaulting), the object behind a managedFields
    /// entry published in a Kubernetes walkthrough.
    let createdPod = #"""
    {"apiVersion":"v1","kind":"Pod","metadata":{"name":"myfirstpod","namespace":"default","uid":"u1",
      "creationTimestamp":"2020-06-20T14:29:33Z","resourceVersion":"1"},
     "spec":{"containers":[{"name":"container1","image":"nginx","imagePullPolicy":"Always",
        "ports":[{"containerPort":80,"protocol":"TCP"}],"resources":{},
        "terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],
      "dnsPolicy":"ClusterFirst","enableServiceLinks":true,"restartPolicy":"Always","schedulerName":"default-scheduler",
      "securityContext":{},"terminationGracePeriodSeconds":30},
     "status":{"phase":"Pending"}}
    """#

    @Test func createOwnsEveryFieldSetInKubernetesShape() throws {
        let pod = record(old: nil, new: json(createdPod), manager: "kubectl", time: "2020-06-20T14:29:33Z")
        let list = entries(pod)
        #expect(list.count == 1)
        // Member order and spelling as Kubernetes writes an entry.
        #expect(list[0].objectValue?.keys == ["manager", "operation", "apiVersion", "time", "fieldsType", "fieldsV1"])
        #expect(list[0]["manager"] == "kubectl")
        #expect(list[0]["operation"] == "Update")
        #expect(list[0]["time"] == "2020-06-20T14:29:33Z")
        let spec = try #require(list[0]["fieldsV1"]?["f:spec"])
        // The container item exactly as Kubernetes recorded it for this pod.
        let expectedItem = json(#"""
        {".":{},"f:image":{},"f:imagePullPolicy":{},"f:name":{},
         "f:ports":{".":{},"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{},"f:protocol":{}}},
         "f:resources":{},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{}}
        """#)
        #expect(spec["f:containers"]?[#"k:{"name":"container1"}"#] == expectedItem)
        // The encoded text keeps Kubernetes' key order (`.` first, then sorted).
        #expect(expectedItem.jsonString() == spec["f:containers"]?[#"k:{"name":"container1"}"#]?.jsonString())
        #expect(spec.objectValue?.keys == ["f:containers", "f:dnsPolicy", "f:enableServiceLinks", "f:restartPolicy",
                                           "f:schedulerName", "f:securityContext", "f:terminationGracePeriodSeconds"])
        // Identity, server metadata and (for a main-resource write) status are nobody's.
        #expect(list[0]["fieldsV1"]?["f:metadata"] == nil)
        #expect(list[0]["fieldsV1"]?["f:status"] == nil)
    }

    @Test func anUpdateMovesChangedFieldsAndDropsRemovedOnes() throws {
        let created = record(old: nil, new: json(createdPod), manager: "kubectl-create")
        var edited = created
        edited["metadata"]?["labels"] = ["app": "web"]
        edited["spec"]?["dnsPolicy"] = "Default"
        edited["spec"]?["enableServiceLinks"] = nil
        let updated = record(old: created, new: edited, manager: "kubectl-edit", time: Self.t1)
        #expect(fields(updated, "kubectl-edit") == json(#"{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{"f:dnsPolicy":{}}}"#))
        let creator = try #require(fields(updated, "kubectl-create"))
        #expect(creator["f:spec"]?["f:dnsPolicy"] == nil)
        #expect(creator["f:spec"]?["f:enableServiceLinks"] == nil)
        #expect(creator["f:spec"]?["f:restartPolicy"] == .emptyObject)
        // Sorted like Kubernetes: by operation, then time.
        #expect(entries(updated).map { $0["manager"] } == ["kubectl-create", "kubectl-edit"])
        #expect(entries(updated).map { $0["time"] } == [.string(Self.t0), .string(Self.t1)])

        // Removing a whole list item takes it (and everything below it) from every set.
        var noPorts = updated
        noPorts.modify("spec") { spec in spec?.modifyEach("containers") { c in c["ports"] = nil } }
        let after = record(old: updated, new: noPorts, manager: "kubectl-edit", time: Self.t1)
        #expect(fields(after, "kubectl-create")?["f:spec"]?["f:containers"]?[#"k:{"name":"container1"}"#]?["f:ports"] == nil)
    }

    @Test func aWriteThatChangesNothingLeavesOwnershipAlone() {
        let created = record(old: nil, new: json(createdPod), manager: "kubectl-create")
        let same = record(old: created, new: created, manager: "someone", time: Self.t1)
        #expect(entries(same) == entries(created))
    }

    @Test func statusWritesOwnOnlyStatus() throws {
        let created = record(old: nil, new: json(createdPod), manager: "kubectl-create")
        var running = created
        running["status"] = ["phase": "Running", "conditions": [["type": "Ready", "status": "True"]]]
        running["spec"]?["nodeName"] = "n1"  // not the status endpoint's to change; not recorded
        let updated = record(old: created, new: running, manager: "kubelet", subresource: "status")
        let list = entries(updated)
        let kubelet = try #require(list.first { $0["manager"] == "kubelet" })
        #expect(kubelet["subresource"] == "status")
        #expect(kubelet["fieldsV1"] == json(#"""
        {"f:status":{"f:conditions":{".":{},"k:{\"type\":\"Ready\"}":{".":{},"f:status":{},"f:type":{}}},"f:phase":{}}}
        """#))
    }

    @Test func clientsMayResetOrReplaceManagedFields() {
        let created = record(old: nil, new: json(createdPod), manager: "kubectl-create")
        var reset = created
        reset["metadata"]?["managedFields"] = [[:]]
        #expect(record(old: created, new: reset, manager: "x")["metadata"]?["managedFields"] == nil)
        // An empty list means "not sent": the stored entries stay.
        var empty = created
        empty["metadata"]?["managedFields"] = []
        #expect(entries(record(old: created, new: empty, manager: "x")) == entries(created))
        // A different list is taken as the new ownership.
        var replaced = created
        replaced["metadata"]?["managedFields"] = [json(#"{"manager":"tool","operation":"Apply","apiVersion":"v1","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{"f:dnsPolicy":{}}}}"#)]
        let out = record(old: created, new: replaced, manager: "x")
        #expect(entries(out).map { $0["manager"] } == ["tool"])
    }

    @Test func fieldsV1RoundTripsThroughTheFieldSet() {
        let text = #"""
        {"f:metadata":{"f:annotations":{".":{},"f:a":{}},"f:finalizers":{"v:\"x\"":{}}},
         "f:spec":{"f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:env":{"k:{\"name\":\"E\"}":{".":{},"f:name":{}}}}}}}
        """#
        let set = FieldSet(fieldsV1: json(text))
        #expect(set.fieldsV1 == json(text))
        #expect(set.contains(["f:metadata", "f:annotations"]))
        #expect(!set.contains(["f:metadata"]))
        #expect(set.contains(["f:spec", "f:containers", #"k:{"name":"c"}"#, "f:env", #"k:{"name":"E"}"#, "f:name"]))
        #expect(set.members().map(FieldPathElement.render) == [
            ".metadata.annotations", ".metadata.annotations.a", #".metadata.finalizers[="x"]"#,
            #".spec.containers[name="c"]"#, #".spec.containers[name="c"].env[name="E"]"#,
            #".spec.containers[name="c"].env[name="E"].name"#,
        ])
    }
}
