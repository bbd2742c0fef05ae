import Testing

@testable import APIModel

/// Server-side apply against the real schemas: merges, pruning, conflicts and ownership.
@Suite("Server-side apply")
struct ApplyTests {
    static let t0 = "2026-01-01T00:00:00Z"
    static let t1 = "2026-01-01T00:01:00Z"
    static let t2 = "2026-01-01T00:02:00Z"

    func json(_ text: String) -> JSONValue {
        (try? JSONValue(json: text)) ?? .null
    }

    func apply(_ config: String, to live: JSONValue?, manager: String = "kubectl", force: Bool = false,
               schema: Schema = WorkloadSchemas.deployment, apiVersion: String = "apps/v1",
               time: String = t0) throws -> JSONValue
    {
        try ServerSideApply.apply(json(config), to: live, manager: manager, force: force, schema: schema,
                                  apiVersion: apiVersion, time: time)
    }

    func entries(_ object: JSONValue) -> [JSONValue] {
        object["metadata"]?["managedFields"]?.arrayValue ?? []
    }

    func entry(_ object: JSONValue, _ manager: String, _ operation: String = "Apply") -> JSONValue? {
        entries(object).first { $0["manager"]?.stringValue == manager && $0["operation"]?.stringValue == operation }
    }

    func deployment(replicas: Int = 3, image: String = "nginx:1.27") -> String {
        """
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},
         "spec":{"replicas":\(replicas),"selector":{"matchLabels":{"app":"web"}},
          "template":{"metadata":{"labels":{"app":"web"}},
           "spec":{"containers":[{"name":"nginx","image":"\(image)","ports":[{"containerPort":80}]}]}}}}
        """
    }

    @Test func createsTheObjectAndOwnsExactlyTheConfiguredFields() throws {
        let created = try apply(deployment(), to: nil)
        #expect(created["spec"]?["replicas"] == 3)
        #expect(created["metadata"]?["name"] == "web")
        #expect(entries(created).count == 1)
        let e = try #require(entry(created, "kubectl"))
        #expect(e["apiVersion"] == "apps/v1")
        #expect(e["time"] == .string(Self.t0))
        #expect(e["fieldsType"] == "FieldsV1")
        #expect(e["subresource"] == nil)
        // The shape Kubernetes stores for this manifest: leaves, list items with `.`, the atomic
        // selector as one leaf, nothing for name/namespace.
        let expected = json(#"""
        {"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:metadata":{"f:labels":{"f:app":{}}},
         "f:spec":{"f:containers":{"k:{\"name\":\"nginx\"}":{".":{},"f:image":{},"f:name":{},
          "f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}}
        """#)
        #expect(e["fieldsV1"] == expected)
    }

    @Test("an apply configuration needs apiVersion, kind and metadata.name", arguments: [
        (#"{"kind":"ConfigMap","metadata":{"name":"a"}}"#, "apiVersion"),
        (#"{"apiVersion":"v1","metadata":{"name":"a"}}"#, "kind"),
        (#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{}}"#, "metadata.name"),
        (#"[1]"#, "object"),
    ])
    func rejectsIncompleteConfigurations(config: String, mentions: String) throws {
        do {
            _ = try apply(config, to: nil, schema: CoreSchemas.configMap, apiVersion: "v1")
            Issue.record("expected an invalid configuration error")
        } catch ServerSideApplyError.invalid(let message) {
            #expect(message.contains(mentions))
        }
    }

    @Test func reapplyWithoutAFieldRemovesIt() throws {
        let first = try apply(#"""
        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"a":"1","b":"2"}},"data":{"x":"1","y":"2"}}
        """#, to: nil, schema: CoreSchemas.configMap, apiVersion: "v1")
        let second = try apply(#"""
        {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","labels":{"a":"1"}},"data":{"x":"1"}}
        """#, to: first, schema: CoreSchemas.configMap, apiVersion: "v1", time: Self.t1)
        #expect(second["data"] == ["x": "1"])
        #expect(second["metadata"]?["labels"] == ["a": "1"])
        #expect(entry(second, "kubectl")?["fieldsV1"] == json(#"{"f:data":{"f:x":{}},"f:metadata":{"f:labels":{"f:a":{}}}}"#))
        #expect(entry(second, "kubectl")?["time"] == .string(Self.t1))
        // Dropping every label removes the emptied map as well.
        let third = try apply(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"x":"1"}}"#,
                              to: second, schema: CoreSchemas.configMap, apiVersion: "v1")
        #expect(third["metadata"]?["labels"] == nil)
        #expect(third["metadata"]?["name"] == "c")
    }

    @Test func aDroppedFieldAnotherManagerOwnsStays() throws {
        let cm = CoreSchemas.configMap
        let a = try apply(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"x":"1","y":"2","z":"3"}}"#,
                          to: nil, manager: "alice", schema: cm, apiVersion: "v1")
        // bob applies y with the same value: shared ownership, no conflict.
        let b = try apply(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"y":"2"}}"#,
                          to: a, manager: "bob", schema: cm, apiVersion: "v1")
        // an editor changes z (an Update): z moves from alice to the editor.
        var edited = b
        edited["data"]?["z"] = "9"
        let e = ManagedFields.recordUpdate(old: b, new: edited, manager: "kubectl-edit", subresource: nil,
                                           apiVersion: "v1", time: Self.t1, schema: cm)
        #expect(entry(e, "kubectl-edit", "Update")?["fieldsV1"] == json(#"{"f:data":{"f:z":{}}}"#))
        #expect(entry(e, "alice")?["fieldsV1"] == json(#"{"f:data":{"f:x":{},"f:y":{}}}"#))
        // alice drops y and z: both stay, owned by bob and the editor.
        let final = try apply(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"x":"1"}}"#,
                              to: e, manager: "alice", schema: cm, apiVersion: "v1", time: Self.t2)
        #expect(final["data"] == ["x": "1", "y": "2", "z": "9"])
        #expect(entry(final, "bob")?["fieldsV1"] == json(#"{"f:data":{"f:y":{}}}"#))
        #expect(entry(final, "alice")?["fieldsV1"] == json(#"{"f:data":{"f:x":{}}}"#))
        // bob drops y too: now nobody owns it and it goes.
        let gone = try apply(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"x":"1"}}"#,
                             to: final, manager: "bob", schema: cm, apiVersion: "v1")
        #expect(gone["data"] == ["x": "1", "z": "9"])
    }

    /// `kubectl scale` (an Update through /scale), then an apply with another replica count.
    func scaled(to replicas: Int64) throws -> JSONValue {
        let applied = try apply(deployment(replicas: 3), to: nil)
        var new = applied
        new["spec"]?["replicas"] = .int(replicas)
        return ManagedFields.recordUpdate(old: applied, new: new, manager: "kubectl-scale", subresource: "scale",
                                          apiVersion: "apps/v1", time: Self.t1, schema: WorkloadSchemas.deployment)
    }

    @Test func aChangedFieldOwnedByAnUpdateManagerConflicts() throws {
        let live = try scaled(to: 5)
        #expect(entry(live, "kubectl-scale", "Update")?["fieldsV1"] == json(#"{"f:spec":{"f:replicas":{}}}"#))
        #expect(entry(live, "kubectl-scale", "Update")?["subresource"] == "scale")
        do {
            _ = try apply(deployment(replicas: 3), to: live, time: Self.t2)
            Issue.record("expected a conflict")
        } catch ServerSideApplyError.conflicts(let conflicts) {
            #expect(conflicts == [FieldManagerConflict(field: ".spec.replicas", manager: "kubectl-scale")])
            #expect(conflicts.first?.message == "conflict with \"kubectl-scale\" with subresource \"scale\" using apps/v1 at \(Self.t1)")
            #expect(ServerSideApplyError.conflicts(conflicts).message
                == "Apply failed with 1 conflict: conflict with \"kubectl-scale\" with subresource \"scale\" using apps/v1 at \(Self.t1): .spec.replicas")
        }
    }

    @Test func forceTakesOwnership() throws {
        let live = try scaled(to: 5)
        let forced = try apply(deployment(replicas: 3), to: live, force: true, time: Self.t2)
        #expect(forced["spec"]?["replicas"] == 3)
        // The scaler owned nothing else, so its entry is gone.
        #expect(entry(forced, "kubectl-scale", "Update") == nil)
        #expect(entry(forced, "kubectl")?["fieldsV1"]?["f:spec"]?["f:replicas"] == .emptyObject)
    }

    @Test func equalValuesAreSharedWithoutConflict() throws {
        let live = try scaled(to: 5)
        let shared = try apply(deployment(replicas: 5), to: live, time: Self.t2)
        #expect(shared["spec"]?["replicas"] == 5)
        #expect(entry(shared, "kubectl-scale", "Update")?["fieldsV1"] == json(#"{"f:spec":{"f:replicas":{}}}"#))
        #expect(entry(shared, "kubectl")?["fieldsV1"]?["f:spec"]?["f:replicas"] == .emptyObject)
        // Both owners are named when a third manager changes the shared field.
        do {
            _ = try apply(deployment(replicas: 7), to: shared, manager: "ci")
            Issue.record("expected conflicts")
        } catch ServerSideApplyError.conflicts(let conflicts) {
            #expect(Set(conflicts.map(\.manager)) == ["kubectl", "kubectl-scale"])
            #expect(conflicts.allSatisfy { $0.field == ".spec.replicas" })
            #expect(ServerSideApplyError.conflicts(conflicts).message.hasPrefix("Apply failed with 2 conflicts: "))
        }
    }

    @Test func associativeListsMergeByTheirKeys() throws {
        let config = #"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
         "spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{
          "containers":[{"name":"app","image":"app:1","ports":[{"containerPort":8080},{"containerPort":53,"protocol":"UDP"}],
                         "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]}]}}}}
        """#
        let first = try apply(config, to: nil)
        let app = try #require(entry(first, "kubectl")?["fieldsV1"]?["f:spec"]?["f:template"]?["f:spec"]?["f:containers"]?[#"k:{"name":"app"}"#])
        #expect(app["f:ports"]?.objectValue?.keys == [#"k:{"containerPort":53,"protocol":"UDP"}"#, #"k:{"containerPort":8080,"protocol":"TCP"}"#])
        #expect(app["f:env"]?.objectValue?.keys == [#"k:{"name":"A"}"#, #"k:{"name":"B"}"#])
        #expect(app["f:env"]?[#"k:{"name":"B"}"#] == json(#"{".":{},"f:name":{},"f:value":{}}"#))

        // A second manager adds a sidecar container and an env var to the app container.
        let sidecar = #"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
         "spec":{"template":{"spec":{"containers":[{"name":"app","env":[{"name":"C","value":"3"}]},
                                                    {"name":"sidecar","image":"proxy:1"}]}}}}
        """#
        let second = try apply(sidecar, to: first, manager: "mesh")
        let containers = try #require(second["spec"]?["template"]?["spec"]?["containers"]?.arrayValue)
        #expect(containers.map { $0["name"] } == ["app", "sidecar"])
        #expect(containers[0]["image"] == "app:1")
        #expect(containers[0]["env"]?.arrayValue?.map { $0["name"] } == ["A", "B", "C"])

        // The first manager drops env B and the UDP port and bumps the image: B and the port go,
        // C and the sidecar (the mesh's) stay.
        let third = try apply(#"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
         "spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{
          "containers":[{"name":"app","image":"app:2","ports":[{"containerPort":8080}],"env":[{"name":"A","value":"1"}]}]}}}}
        """#, to: second)
        let after = try #require(third["spec"]?["template"]?["spec"]?["containers"]?.arrayValue)
        #expect(after.map { $0["name"] } == ["app", "sidecar"])
        #expect(after[0]["image"] == "app:2")
        #expect(after[0]["env"]?.arrayValue?.map { $0["name"] } == ["A", "C"])
        #expect(after[0]["ports"] == json(#"[{"containerPort":8080}]"#))

        // The first manager drops the app container entirely: the mesh still owns its env C, so
        // the item stays with its key and C, losing only what the first manager had set.
        let fourth = try apply(#"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
         "spec":{"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{
          "containers":[{"name":"other","image":"o:1"}]}}}}
        """#, to: third)
        let last = try #require(fourth["spec"]?["template"]?["spec"]?["containers"]?.arrayValue)
        #expect(last.map { $0["name"] } == ["app", "sidecar", "other"])
        #expect(last[0] == json(#"{"name":"app","env":[{"name":"C","value":"3"}]}"#))
    }

    @Test func conflictPathsNameListItemsByKey() throws {
        let applied = try apply(deployment(image: "nginx:1.27"), to: nil)
        var edited = applied
        edited.modify("spec") { spec in
            spec?.modify("template") { t in
                t?.modify("spec") { s in
                    s?.modifyEach("containers") { c in c["image"] = "nginx:1.28" }
                }
            }
        }
        let live = ManagedFields.recordUpdate(old: applied, new: edited, manager: "kubectl-set", subresource: nil,
                                              apiVersion: "apps/v1", time: Self.t1, schema: WorkloadSchemas.deployment)
        do {
            _ = try apply(deployment(image: "nginx:1.29"), to: live)
            Issue.record("expected a conflict")
        } catch ServerSideApplyError.conflicts(let conflicts) {
            #expect(conflicts == [FieldManagerConflict(field: #".spec.template.spec.containers[name="nginx"].image"#,
                                                       manager: "kubectl-set")])
        }
        // Re-applying the editor's value is fine (shared), and the applier's value elsewhere too.
        let same = try apply(deployment(image: "nginx:1.28"), to: live)
        #expect(same["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"] == "nginx:1.28")
    }

    @Test func theFirstApplyToAnUntrackedObjectMeetsItsFields() throws {
        // An object stored without managedFields: everything belongs to "before-first-apply".
        let untracked = json(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"x":"1","y":"2"}}"#)
        do {
            _ = try apply(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"x":"2"}}"#,
                          to: untracked, schema: CoreSchemas.configMap, apiVersion: "v1")
            Issue.record("expected a conflict")
        } catch ServerSideApplyError.conflicts(let conflicts) {
            #expect(conflicts == [FieldManagerConflict(field: ".data.x", manager: "before-first-apply")])
        }
        let applied = try apply(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"},"data":{"x":"1"}}"#,
                                to: untracked, schema: CoreSchemas.configMap, apiVersion: "v1")
        #expect(applied["data"] == ["x": "1", "y": "2"])
        #expect(entry(applied, "before-first-apply", "Update")?["fieldsV1"] == json(#"{"f:data":{"f:x":{},"f:y":{}}}"#))
    }

    @Test func statusInAMainResourceApplyIsIgnored() throws {
        let live = try apply(#"""
        {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","managedFields":[{"manager":"x","operation":"Apply","fieldsType":"FieldsV1","fieldsV1":{"f:spec":{}}}]},
         "spec":{"replicas":1},"status":{"replicas":9}}
        """#, to: nil)
        #expect(live["status"] == nil)
        #expect(entries(live).count == 1)
        #expect(entry(live, "kubectl")?["fieldsV1"] == json(#"{"f:spec":{"f:replicas":{}}}"#))
    }

    @Test func reapplyingTheSameConfigurationChangesNothing() throws {
        let first = try apply(deployment(), to: nil)
        let again = try apply(deployment(), to: first, time: Self.t2)
        // Byte-identical, time included: a no-op apply must not produce a new version.
        #expect(again.jsonString() == first.jsonString())
    }

    @Test func setListsOwnTheirValues() throws {
        let first = try apply(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","finalizers":["a/x","b/y"]}}"#,
                              to: nil, schema: CoreSchemas.configMap, apiVersion: "v1")
        #expect(entry(first, "kubectl")?["fieldsV1"] == json(#"{"f:metadata":{"f:finalizers":{"v:\"a/x\"":{},"v:\"b/y\"":{}}}}"#))
        let second = try apply(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","finalizers":["b/y"]}}"#,
                               to: first, schema: CoreSchemas.configMap, apiVersion: "v1")
        #expect(second["metadata"]?["finalizers"] == ["b/y"])
    }
}
