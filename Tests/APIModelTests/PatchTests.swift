import Testing

@testable import APIModel

@Suite("JSON Patch and merge patch")
struct JSONPatchTests {
    func apply(_ patch: String, _ doc: String) throws -> JSONValue {
        try JSONPatch.apply(JSONValue(json: patch), to: JSONValue(json: doc))
    }

    @Test func everyOperation() throws {
        let doc = #"{"a":{"b":[1,2,3]},"c":"x"}"#
        #expect(try apply(#"[{"op":"add","path":"/a/b/1","value":9}]"#, doc) == JSONValue(json: #"{"a":{"b":[1,9,2,3]},"c":"x"}"#))
        #expect(try apply(#"[{"op":"add","path":"/a/b/-","value":4}]"#, doc) == JSONValue(json: #"{"a":{"b":[1,2,3,4]},"c":"x"}"#))
        #expect(try apply(#"[{"op":"add","path":"/d","value":{"e":null}}]"#, doc)["d"] == ["e": nil])
        #expect(try apply(#"[{"op":"remove","path":"/a/b/0"}]"#, doc) == JSONValue(json: #"{"a":{"b":[2,3]},"c":"x"}"#))
        #expect(try apply(#"[{"op":"replace","path":"/c","value":42}]"#, doc)["c"] == 42)
        #expect(try apply(#"[{"op":"move","from":"/c","path":"/a/c"}]"#, doc) == JSONValue(json: #"{"a":{"b":[1,2,3],"c":"x"}}"#))
        #expect(try apply(#"[{"op":"copy","from":"/a/b","path":"/z"}]"#, doc)["z"] == [1, 2, 3])
        #expect(try apply(#"[{"op":"test","path":"/a/b","value":[1,2,3]},{"op":"remove","path":"/c"}]"#, doc) == JSONValue(json: #"{"a":{"b":[1,2,3]}}"#))
        #expect(try apply(#"[{"op":"replace","path":"","value":[1]}]"#, doc) == [1])
    }

    @Test("errors name the operation index and path", arguments: [
        (#"[{"op":"test","path":"/c","value":"x"},{"op":"test","path":"/c","value":"y"}]"#, "json patch operation 1: testing value /c failed"),
        (#"[{"op":"remove","path":"/nope"}]"#, "json patch operation 0: remove /nope: path does not exist"),
        (#"[{"op":"add","path":"/a/b/7","value":1}]"#, "json patch operation 0: add /a/b/7: index 7 is out of bounds (length 3)"),
        (#"[{"op":"replace","path":"/x/y","value":1}]"#, "json patch operation 0: remove /x/y: path does not exist"),
        (#"[{"op":"jump","path":"/c"}]"#, "json patch operation 0: unknown operation \"jump\""),
        (#"[{"op":"move","from":"/a","path":"/a/b/0"}]"#, "json patch operation 0: move /a to /a/b/0: cannot move a value into one of its children"),
        (#"{"op":"add"}"#, "a JSON patch must be an array of operations, got object"),
    ])
    func errors(patch: String, message: String) throws {
        #expect(throws: PatchError(message)) { try apply(patch, #"{"a":{"b":[1,2,3]},"c":"x"}"#) }
    }

    @Test("RFC 7386 examples", arguments: [
        (#"{"a":"b"}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"b"}"#, #"{"b":"c"}"#, #"{"a":"b","b":"c"}"#),
        (#"{"a":"b"}"#, #"{"a":null}"#, #"{}"#),
        (#"{"a":"b","b":"c"}"#, #"{"a":null}"#, #"{"b":"c"}"#),
        (#"{"a":["b"]}"#, #"{"a":"c"}"#, #"{"a":"c"}"#),
        (#"{"a":"c"}"#, #"{"a":["b"]}"#, #"{"a":["b"]}"#),
        (#"{"a":{"b":"c"}}"#, #"{"a":{"b":"d","c":null}}"#, #"{"a":{"b":"d"}}"#),
        (#"{"a":[{"b":"c"}]}"#, #"{"a":[1]}"#, #"{"a":[1]}"#),
        (#"["a","b"]"#, #"["c","d"]"#, #"["c","d"]"#),
        (#"{"a":"b"}"#, #"["c"]"#, #"["c"]"#),
        (#"{"a":"foo"}"#, #"null"#, #"null"#),
        (#"{"e":null}"#, #"{"a":1}"#, #"{"e":null,"a":1}"#),
        (#"[1,2]"#, #"{"a":"b","c":null}"#, #"{"a":"b"}"#),
        (#"{}"#, #"{"a":{"bb":{"ccc":null}}}"#, #"{"a":{"bb":{}}}"#),
    ])
    func mergePatch(target: String, patch: String, expected: String) throws {
        #expect(try JSONMergePatch.apply(JSONValue(json: patch), to: JSONValue(json: target)) == JSONValue(json: expected))
    }

    @Test func kubectlScaleAndLabelPatches() throws {
        let deployment = try JSONValue(json: #"{"metadata":{"name":"web","labels":{"app":"web","old":"x"}},"spec":{"replicas":1}}"#)
        let scaled = JSONMergePatch.apply(try JSONValue(json: #"{"spec":{"replicas":3}}"#), to: deployment)
        #expect(scaled["spec"]?["replicas"] == 3)
        let relabeled = JSONMergePatch.apply(try JSONValue(json: #"{"metadata":{"labels":{"old":null,"new":"y"}}}"#), to: deployment)
        #expect(relabeled["metadata"]?["labels"] == ["app": "web", "new": "y"])
    }
}

@Suite("Strategic merge patch")
struct StrategicMergePatchTests {
    func smp(_ patch: String, _ original: String, _ schema: Schema = WorkloadSchemas.deployment) throws -> JSONValue {
        try StrategicMergePatch.apply(JSONValue(json: patch), to: JSONValue(json: original), schema: schema)
    }

    static let liveDeployment = """
        {"apiVersion":"apps/v1","kind":"Deployment",
         "metadata":{"name":"web","namespace":"default","labels":{"app":"web","tier":"front"},
                     "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"},"finalizers":["a.io/x","b.io/y"],
                     "resourceVersion":"12","uid":"u1"},
         "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
                 "template":{"metadata":{"labels":{"app":"web"}},
                             "spec":{"containers":[{"name":"c","image":"nginx:1.26","ports":[{"containerPort":80,"protocol":"TCP"}],
                                                    "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
                                                    "volumeMounts":[{"name":"data","mountPath":"/data"}],
                                                    "imagePullPolicy":"IfNotPresent","resources":{}},
                                                   {"name":"sidecar","image":"envoy"}],
                                     "volumes":[{"name":"data","emptyDir":{}}],
                                     "tolerations":[{"key":"a","operator":"Exists"}],
                                     "restartPolicy":"Always","dnsPolicy":"ClusterFirst"}},
                 "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}},
                 "revisionHistoryLimit":10},
         "status":{"replicas":2,"readyReplicas":2}}
        """

    /// The patch `kubectl apply` sends when only the image changed (KUBECTL.md §3).
    @Test func kubectlApplyImageChange() throws {
        let patch = #"""
            {"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"new\":1}\n"}},
             "spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"c"},{"name":"sidecar"}],
                                          "containers":[{"image":"nginx:1.27","name":"c"}]}}}}
            """#
        let result = try smp(patch, Self.liveDeployment)
        var expected = try JSONValue(json: Self.liveDeployment)
        expected["metadata"]?["annotations"]?["kubectl.kubernetes.io/last-applied-configuration"] = "{\"new\":1}\n"
        var containers = expected["spec"]?["template"]?["spec"]?["containers"]?.arrayValue ?? []
        containers[0]["image"] = "nginx:1.27"
        expected["spec"]?["template"]?["spec"]?["containers"] = .array(containers)
        #expect(result == expected, "\(result)")
        // Order of the containers and of their members is the live order.
        #expect(result["spec"]?["template"]?["spec"]?["containers"]?[0]?.objectValue?.keys.first == "name")
    }

    /// kubectl's three-way patch for: env B removed, env C added, label tier removed, replicas changed.
    @Test func kubectlApplyEnvAndLabelChanges() throws {
        let patch = #"""
            {"metadata":{"labels":{"tier":null}},
             "spec":{"replicas":3,
                     "template":{"spec":{"$setElementOrder/containers":[{"name":"c"}],
                                         "containers":[{"$setElementOrder/env":[{"name":"A"},{"name":"C"}],
                                                        "env":[{"name":"C","value":"3"},{"$patch":"delete","name":"B"}],
                                                        "name":"c"}]}}}}
            """#
        let result = try smp(patch, Self.liveDeployment)
        #expect(result["metadata"]?["labels"] == ["app": "web"])
        #expect(result["spec"]?["replicas"] == 3)
        let containers = try #require(result["spec"]?["template"]?["spec"]?["containers"]?.arrayValue)
        #expect(containers.map { $0["name"] } == ["c", "sidecar"])
        #expect(containers[0]["env"] == [["name": "A", "value": "1"], ["name": "C", "value": "3"]])
        #expect(containers[0]["image"] == "nginx:1.26")
        #expect(result["status"] == ["replicas": 2, "readyReplicas": 2])
    }

    @Test func mergeKeysOfEachList() throws {
        let patch = """
            {"spec":{"template":{"spec":{
               "containers":[{"name":"c","ports":[{"containerPort":443,"protocol":"TCP"}],
                              "volumeMounts":[{"name":"cfg","mountPath":"/cfg"},{"name":"data2","mountPath":"/data"}]}],
               "volumes":[{"name":"cfg","configMap":{"name":"cfg"}}],
               "tolerations":[{"key":"b","operator":"Exists"}]}}}}
            """
        let result = try smp(patch, Self.liveDeployment)
        let spec = try #require(result["spec"]?["template"]?["spec"])
        let c = try #require(spec["containers"]?[0])
        #expect(c["ports"]?.arrayValue?.compactMap { $0["containerPort"]?.intValue }.sorted() == [80, 443])
        // volumeMounts merge by mountPath: /data is updated in place, /cfg added.
        #expect(c["volumeMounts"]?.arrayValue?.count == 2)
        #expect(c["volumeMounts"]?.arrayValue?.first { $0["mountPath"] == "/data" }?["name"] == "data2")
        #expect(spec["volumes"]?.arrayValue?.compactMap { $0["name"]?.stringValue }.sorted() == ["cfg", "data"])
        // Tolerations are atomic.
        #expect(spec["tolerations"] == [["key": "b", "operator": "Exists"]])
    }

    @Test func newItemsWithoutElementOrderGoFirst() throws {
        // Kubernetes' order rule: patch items win over server-only items not comparable in the live list.
        let result = try smp(#"{"spec":{"template":{"spec":{"containers":[{"name":"new","image":"x"}]}}}}"#, Self.liveDeployment)
        #expect(result["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.map { $0["name"] } == ["new", "c", "sidecar"])
    }

    @Test func setElementOrderReorders() throws {
        let original = #"{"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"s"},{"name":"b"}]}}}}"#
        let reordered = try smp(#"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}]}}}}"#, original)
        // Server-only items keep their place relative to the live list.
        #expect(reordered["spec"]?["template"]?["spec"]?["containers"] == [["name": "s"], ["name": "b"], ["name": "a"]])
        let tail = try smp(#"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"}]}}}}"#,
                           #"{"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"s"}]}}}}"#)
        #expect(tail["spec"]?["template"]?["spec"]?["containers"] == [["name": "b"], ["name": "a"], ["name": "s"]])
        let added = try smp(#"{"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"a"},{"name":"n"},{"name":"b"}],"containers":[{"name":"n"}]}}}}"#,
                            #"{"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}}}"#)
        #expect(added["spec"]?["template"]?["spec"]?["containers"] == [["name": "a"], ["name": "n"], ["name": "b"]])
    }

    @Test func patchDirectivesOnMaps() throws {
        let replaced = try smp(#"{"spec":{"selector":{"$patch":"replace","matchLabels":{"x":"y"}}}}"#,
                               #"{"spec":{"selector":{"matchLabels":{"app":"web"},"matchExpressions":[]}}}"#)
        #expect(replaced["spec"]?["selector"] == ["matchLabels": ["x": "y"]])
        let deleted = try smp(#"{"spec":{"strategy":{"$patch":"delete"}}}"#, Self.liveDeployment)
        #expect(deleted["spec"]?["strategy"] == [:])
        let merged = try smp(#"{"metadata":{"labels":{"$patch":"merge","x":"y"}}}"#, Self.liveDeployment)
        #expect(merged["metadata"]?["labels"] == ["app": "web", "tier": "front", "x": "y"])
        #expect(throws: PatchError.self) { try smp(#"{"metadata":{"$patch":"explode"}}"#, Self.liveDeployment) }
    }

    @Test func patchDirectivesOnLists() throws {
        let replaced = try smp(#"{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"i"},{"$patch":"replace"}]}}}}"#, Self.liveDeployment)
        #expect(replaced["spec"]?["template"]?["spec"]?["containers"] == [["name": "only", "image": "i"]])
        let deleted = try smp(#"{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","$patch":"delete"}]}}}}"#, Self.liveDeployment)
        #expect(deleted["spec"]?["template"]?["spec"]?["containers"]?.arrayValue?.map { $0["name"] } == ["c"])
        #expect(throws: PatchError.self) {
            try smp(#"{"spec":{"template":{"spec":{"containers":[{"$patch":"delete"}]}}}}"#, Self.liveDeployment)
        }
        #expect(throws: PatchError.self) {
            try smp(#"{"spec":{"template":{"spec":{"containers":[{"image":"no-name"}]}}}}"#, Self.liveDeployment)
        }
    }

    @Test func retainKeysClearsTheOtherMembersOfAUnion() throws {
        let result = try smp(#"{"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}}"#, Self.liveDeployment)
        #expect(result["spec"]?["strategy"] == ["type": "Recreate"])
        let volume = try smp(#"{"spec":{"template":{"spec":{"volumes":[{"$retainKeys":["hostPath","name"],"hostPath":{"path":"/x"},"name":"data"}]}}}}"#,
                             Self.liveDeployment)
        #expect(volume["spec"]?["template"]?["spec"]?["volumes"] == [["name": "data", "hostPath": ["path": "/x"]]])
        #expect(throws: PatchError.self) { try smp(#"{"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":{}}}}"#, Self.liveDeployment) }
    }

    @Test func primitiveListsWithMergeStrategy() throws {
        let union = try smp(#"{"metadata":{"finalizers":["b.io/y","c.io/z"]}}"#, Self.liveDeployment)
        #expect(union["metadata"]?["finalizers"] == ["a.io/x", "b.io/y", "c.io/z"])
        let removed = try smp(#"{"metadata":{"$deleteFromPrimitiveList/finalizers":["a.io/x"]}}"#, Self.liveDeployment)
        #expect(removed["metadata"]?["finalizers"] == ["b.io/y"])
        let reordered = try smp(#"{"metadata":{"$setElementOrder/finalizers":["b.io/y","a.io/x"]}}"#, Self.liveDeployment)
        #expect(reordered["metadata"]?["finalizers"] == ["b.io/y", "a.io/x"])
        // Atomic primitive lists are replaced.
        let args = try smp(#"{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","args":["b"]}]}}}}"#,
                           #"{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","args":["a"]}]}}}}"#)
        #expect(args["spec"]?["template"]?["spec"]?["containers"]?[0]?["args"] == ["b"])
    }

    @Test func servicePortsMergeByPortAndConditionsByType() throws {
        let service = try smp(#"{"spec":{"ports":[{"port":443,"name":"https"},{"port":80,"targetPort":8080}]}}"#,
                              #"{"spec":{"ports":[{"port":80,"name":"http","targetPort":80}]}}"#, CoreSchemas.service)
        #expect(service["spec"]?["ports"]?.arrayValue?.count == 2)
        #expect(service["spec"]?["ports"]?.arrayValue?.first { $0["port"] == 80 } == ["port": 80, "name": "http", "targetPort": 8080])
        let pod = try smp(#"{"status":{"conditions":[{"type":"Ready","status":"True"}]}}"#,
                          #"{"status":{"conditions":[{"type":"PodScheduled","status":"True"},{"type":"Ready","status":"False","reason":"x"}]}}"#,
                          PodSchemas.pod)
        #expect(pod["status"]?["conditions"] == [["type": "PodScheduled", "status": "True"], ["type": "Ready", "status": "True", "reason": "x"]])
        let owners = try smp(#"{"metadata":{"ownerReferences":[{"uid":"2","name":"b","kind":"K","apiVersion":"v1"}]}}"#,
                             #"{"metadata":{"ownerReferences":[{"uid":"1","name":"a","kind":"K","apiVersion":"v1"}]}}"#, CoreSchemas.configMap)
        #expect(owners["metadata"]?["ownerReferences"]?.arrayValue?.count == 2)
        let node = try smp(#"{"spec":{"unschedulable":true}}"#, #"{"metadata":{"name":"n1"},"spec":{"podCIDR":"10.42.0.0/24"}}"#, CoreSchemas.node)
        #expect(node["spec"] == ["podCIDR": "10.42.0.0/24", "unschedulable": true])
    }

    @Test func unknownSubtreesMergeLikeMergePatch() throws {
        let result = try smp(#"{"spec":{"podFailurePolicy":{"rules":[{"action":"Ignore"}],"x":{"y":null}}}}"#,
                             #"{"spec":{"podFailurePolicy":{"rules":[{"action":"FailJob"},{"action":"Count"}],"x":{"y":1,"z":2}}}}"#,
                             WorkloadSchemas.job)
        #expect(result["spec"]?["podFailurePolicy"] == ["rules": [["action": "Ignore"]], "x": ["z": 2]])
    }

    @Test func newValuesLoseTheirDirectives() throws {
        let result = try smp(#"{"spec":{"template":{"spec":{"affinity":{"nodeAffinity":{"$patch":"replace","x":null}}}}}}"#, "{}")
        #expect(result == ["spec": ["template": ["spec": ["affinity": ["nodeAffinity": [:]]]]]])
    }
}
