import Testing

@testable import APIModel

/// Parses a manifest, applies defaults and runs semantic validation, as the apiserver will.
func validationErrors(_ yaml: String, defaulted: Bool = true) throws -> [FieldError] {
    var object = try JSONValue.parseYAML(yaml)
    let resource = try #require(ResourceRegistry.resource(apiVersion: object["apiVersion"]?.stringValue ?? "",
                                                          kind: object["kind"]?.stringValue ?? ""))
    if defaulted { Defaulting.apply(&object, resource: resource) }
    return Validation.validate(object, resource: resource)
}

func has(_ errors: [FieldError], _ type: FieldError.ErrorType, _ field: String) -> Bool {
    errors.contains { $0.type == type && $0.field == field }
}

@Suite("Structural validation")
struct StructuralValidationTests {
    @Test func unknownFieldsAreCollectedWithKubernetesPaths() throws {
        let pod = try JSONValue.parseYAML("""
            apiVersion: v1
            kind: Pod
            metadata: {name: p, labelz: {a: b}}
            spec:
              containers:
              - name: c
                image: busybox
                imagePullPolice: Always
                env: [{name: A, value: x, valueFron: {}}]
              foo: 1
              volumes:
              - name: v
                emptyDir: {medium: Memory, sizeLimit: 1Gi}
                hostPath: {path: /x, typo: 1}
            """)
        let report = StructuralValidator.validate(pod, schema: PodSchemas.pod)
        #expect(report.unknownFields == [
            "metadata.labelz", "spec.containers[0].imagePullPolice", "spec.containers[0].env[0].valueFron",
            "spec.foo", "spec.volumes[0].hostPath.typo",
        ])
        #expect(report.typeErrors.isEmpty)
        #expect(report.strictDecodingError?.hasPrefix(#"strict decoding error: unknown field "metadata.labelz", unknown field "spec.containers[0].imagePullPolice""#) == true)
    }

    @Test func duplicatesFromTheParserJoinTheReport() throws {
        let parsed = try JSONValue.parse(#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","name":"b"},"data":{"k":"v"}}"#)
        let report = StructuralValidator.validate(parsed.value, schema: CoreSchemas.configMap, duplicates: parsed.duplicates)
        #expect(report.strictMessages == [#"duplicate field "metadata.name""#])
    }

    @Test func wrongTypesAreReportedLikeKubernetes() throws {
        let deployment = try JSONValue.parseYAML("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: d, labels: {a: 1}}
            spec:
              replicas: "3"
              paused: "yes"
              strategy: {rollingUpdate: {maxSurge: 1.5}}
              template:
                spec:
                  containers: {name: c}
                  terminationGracePeriodSeconds: 99999999999
            """)
        let report = StructuralValidator.validate(deployment, schema: WorkloadSchemas.deployment)
        let fields = report.typeErrors.map(\.field)
        #expect(fields == ["metadata.labels.a", "spec.replicas", "spec.paused", "spec.strategy.rollingUpdate.maxSurge",
                           "spec.template.spec.containers"])
        let replicas = try #require(report.typeErrors.first { $0.field == "spec.replicas" })
        #expect(replicas.description == #"spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer"#)
        #expect(replicas.type == .typeInvalid)
    }

    @Test func formatsAreChecked() throws {
        let secret: JSONValue = ["apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"], "data": ["a": "not base64!"]]
        #expect(StructuralValidator.validate(secret, schema: CoreSchemas.secret).typeErrors.map(\.field) == ["data.a"])
        let pod: JSONValue = ["metadata": ["name": "p", "creationTimestamp": "yesterday"],
                              "spec": ["containers": [["name": "c", "image": "i", "resources": ["limits": ["cpu": "lots"]]]],
                                       "priority": 3_000_000_000]]
        let fields = StructuralValidator.validate(pod, schema: PodSchemas.pod).typeErrors.map(\.field)
        #expect(fields == ["metadata.creationTimestamp", "spec.containers[0].resources.limits.cpu", "spec.priority"])
    }

    @Test func preserveUnknownSubtreesAcceptAnything() throws {
        let job: JSONValue = ["spec": ["podFailurePolicy": ["rules": [["action": "Ignore", "anything": ["goes": true]]]],
                                       "template": ["spec": ["containers": [["name": "c", "image": "i"]]]]]]
        #expect(StructuralValidator.validate(job, schema: WorkloadSchemas.job).unknownFields.isEmpty)
    }

    @Test func pruneDropsUnknownFields() throws {
        let cm: JSONValue = ["kind": "ConfigMap", "extra": 1, "metadata": ["name": "a", "bogus": true], "data": ["x": "y"]]
        #expect(StructuralValidator.prune(cm, schema: CoreSchemas.configMap) == ["kind": "ConfigMap", "metadata": ["name": "a"], "data": ["x": "y"]])
    }
}

@Suite("Semantic validation")
struct SemanticValidationTests {
    static let goodPod = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: web-1
          namespace: default
          labels: {app: web, example.com/tier: front}
          annotations: {note: hello}
        spec:
          volumes:
          - name: data
            emptyDir: {}
          - name: cfg
            configMap: {name: cfg}
          initContainers:
          - name: init
            image: busybox
            command: [sh, -c, "true"]
          containers:
          - name: app
            image: nginx:1.27
            ports: [{containerPort: 80, name: http}]
            env:
            - name: POD_NAME
              valueFrom: {fieldRef: {fieldPath: metadata.name}}
            resources:
              requests: {cpu: 100m, memory: 64Mi}
              limits: {cpu: "1", memory: 128Mi}
            volumeMounts: [{name: data, mountPath: /data}, {name: cfg, mountPath: /etc/cfg}]
            livenessProbe: {httpGet: {path: /, port: http}}
            readinessProbe: {tcpSocket: {port: 80}}
          tolerations: [{key: k, operator: Exists, effect: NoSchedule}]
          affinity:
            podAntiAffinity:
              preferredDuringSchedulingIgnoredDuringExecution:
              - weight: 10
                podAffinityTerm: {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {app: web}}}
        """

    @Test func aValidPodHasNoErrors() throws {
        #expect(try validationErrors(Self.goodPod).isEmpty)
    }

    @Test("bad pods are reported at the right field", arguments: [
        ("metadata:\n  name: Web_1\n  namespace: default\n", FieldError.ErrorType.invalid, "metadata.name"),
        ("metadata:\n  namespace: default\n", .required, "metadata.name"),
        ("metadata:\n  name: p\n", .required, "metadata.namespace"),
        ("metadata:\n  name: p\n  namespace: default\n  labels: {\"-bad\": x}\n", .invalid, "metadata.labels"),
        ("metadata:\n  name: p\n  namespace: default\n  labels: {ok: \"bad value!\"}\n", .invalid, "metadata.labels"),
        ("metadata:\n  name: p\n  namespace: default\n  labels: {\"a/b/c\": x}\n", .invalid, "metadata.labels"),
    ])
    func badMetadata(meta: String, type: FieldError.ErrorType, field: String) throws {
        let yaml = "apiVersion: v1\nkind: Pod\n" + meta + "spec:\n  containers: [{name: c, image: i}]\n"
        let errors = try validationErrors(yaml)
        #expect(has(errors, type, field), "\(errors)")
    }

    @Test func longLabelsAndAnnotationsAreRejected() throws {
        let longName = String(repeating: "a", count: 64)
        let big = String(repeating: "x", count: 256 * 1024)
        let yaml = """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: c, namespace: default, labels: {\(longName): v, k: \(longName)}, annotations: {a: \(big)}}
            """
        let errors = try validationErrors(yaml)
        #expect(errors.filter { $0.field == "metadata.labels" }.count == 2)
        #expect(has(errors, .tooLong, "metadata.annotations"))
    }

    /// Replaces one line of the good pod (matched by prefix) with another.
    func podWith(_ replace: String, _ with: String) -> String {
        precondition(Self.goodPod.contains(replace), replace)
        return Self.goodPod.replacingFirst(replace, with: with)
    }

    @Test("pod spec rules", arguments: [
        ("  - name: app\n    image: nginx:1.27\n", "  - name: init\n    image: nginx:1.27\n", FieldError.ErrorType.duplicate, "spec.containers[0].name"),
        ("    image: nginx:1.27\n", "    image: \"\"\n", .required, "spec.containers[0].image"),
        ("{containerPort: 80, name: http}", "{containerPort: 70000}", .invalid, "spec.containers[0].ports[0].containerPort"),
        ("{containerPort: 80, name: http}", "{containerPort: 80, protocol: HTTP}", .notSupported, "spec.containers[0].ports[0].protocol"),
        ("  tolerations:", "  restartPolicy: Sometimes\n  tolerations:", .notSupported, "spec.restartPolicy"),
        ("  - name: cfg\n    configMap: {name: cfg}\n", "  - name: data\n    configMap: {name: cfg}\n", .duplicate, "spec.volumes[1].name"),
        ("{name: cfg, mountPath: /etc/cfg}", "{name: missing, mountPath: /etc/cfg}", .notFound, "spec.containers[0].volumeMounts[1].name"),
        ("limits: {cpu: \"1\", memory: 128Mi}", "limits: {cpu: 50m, memory: 128Mi}", .invalid, "spec.containers[0].resources.requests[cpu]"),
        ("livenessProbe: {httpGet: {path: /, port: http}}", "livenessProbe: {periodSeconds: 3}", .required, "spec.containers[0].livenessProbe"),
        ("livenessProbe: {httpGet: {path: /, port: http}}", "livenessProbe: {httpGet: {port: 80}, exec: {command: [x]}}", .forbidden, "spec.containers[0].livenessProbe.httpGet"),
        ("  - name: data\n    emptyDir: {}\n", "  - name: data\n    emptyDir: {}\n    hostPath: {path: /tmp}\n", .forbidden, "spec.volumes[0].hostPath"),
        ("{key: k, operator: Exists, effect: NoSchedule}", "{key: k, operator: Exists, value: v}", .invalid, "spec.tolerations[0].operator"),
        ("valueFrom: {fieldRef: {fieldPath: metadata.name}}", "valueFrom: {}", .invalid, "spec.containers[0].env[0].valueFrom"),
        ("weight: 10", "weight: 1000", .invalid, "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight"),
    ])
    func podRules(replace: String, with: String, type: FieldError.ErrorType, field: String) throws {
        let errors = try validationErrors(podWith(replace, with))
        #expect(has(errors, type, field), "\(errors)")
    }

    @Test func podWithoutContainers() throws {
        let errors = try validationErrors("apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: d}\nspec: {containers: []}\n")
        #expect(has(errors, .required, "spec.containers"))
        let message = try #require(errors.first).description
        #expect(message == "spec.containers: Required value")
    }

    static let goodDeployment = """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: default}
        spec:
          replicas: 2
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}}
            spec:
              containers: [{name: c, image: nginx}]
        """

    @Test func aValidDeploymentHasNoErrors() throws {
        #expect(try validationErrors(Self.goodDeployment).isEmpty)
    }

    @Test("workload rules", arguments: [
        ("replicas: 2", "replicas: -1", FieldError.ErrorType.invalid, "spec.replicas"),
        ("  selector: {matchLabels: {app: web}}\n", "", .required, "spec.selector"),
        ("selector: {matchLabels: {app: web}}", "selector: {}", .invalid, "spec.selector"),
        ("selector: {matchLabels: {app: web}}", "selector: {matchLabels: {app: other}}", .invalid, "spec.template.metadata.labels"),
        ("replicas: 2", "replicas: 2\n  strategy: {type: Sideways}", .notSupported, "spec.strategy.type"),
        ("replicas: 2", "replicas: 2\n  strategy: {type: Recreate, rollingUpdate: {maxSurge: 1}}", .forbidden, "spec.strategy.rollingUpdate"),
        ("replicas: 2", "replicas: 2\n  strategy: {rollingUpdate: {maxSurge: 0, maxUnavailable: 0}}", .invalid, "spec.strategy.rollingUpdate.maxUnavailable"),
        ("containers: [{name: c, image: nginx}]", "containers: [{name: c, image: nginx}]\n      restartPolicy: Never", .notSupported, "spec.template.spec.restartPolicy"),
    ])
    func deploymentRules(replace: String, with: String, type: FieldError.ErrorType, field: String) throws {
        let errors = try validationErrors(Self.goodDeployment.replacingFirst(replace, with: with))
        #expect(has(errors, type, field), "\(errors)")
    }

    @Test func otherWorkloads() throws {
        let sts = """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db, namespace: default}
            spec:
              serviceName: db
              podManagementPolicy: Whenever
              selector: {matchLabels: {app: db}}
              template:
                metadata: {labels: {app: db}}
                spec: {containers: [{name: c, image: postgres}]}
              volumeClaimTemplates:
              - metadata: {name: data}
                spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
            """
        #expect(try validationErrors(sts).map(\.field) == ["spec.podManagementPolicy"])
        let ds = """
            apiVersion: apps/v1
            kind: DaemonSet
            metadata: {name: agent, namespace: kube-system}
            spec:
              selector: {matchLabels: {app: agent}}
              template:
                metadata: {labels: {app: agent}}
                spec: {containers: [{name: c, image: agent}]}
            """
        #expect(try validationErrors(ds).isEmpty)
        let rs = ds.replacingFirst("DaemonSet", with: "ReplicaSet").replacingFirst("{app: agent}}\n", with: "{app: nope}}\n")
        #expect(has(try validationErrors(rs), .invalid, "spec.template.metadata.labels"))
    }

    @Test func jobsAndCronJobs() throws {
        let job = """
            apiVersion: batch/v1
            kind: Job
            metadata: {name: pi, namespace: default}
            spec:
              parallelism: -1
              template:
                spec:
                  restartPolicy: Never
                  containers: [{name: pi, image: perl}]
            """
        #expect(try validationErrors(job).map(\.field) == ["spec.parallelism"])
        // Without a restart policy the pod default (Always) is not allowed for jobs.
        let always = job.replacingFirst("      restartPolicy: Never\n", with: "").replacingFirst("parallelism: -1", with: "parallelism: 1")
        #expect(has(try validationErrors(always), .notSupported, "spec.template.spec.restartPolicy"))

        let cron = """
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: hello, namespace: default}
            spec:
              schedule: "*/5 * * * *"
              jobTemplate:
                spec:
                  template:
                    spec:
                      restartPolicy: OnFailure
                      containers: [{name: c, image: busybox}]
            """
        #expect(try validationErrors(cron).isEmpty)
        for bad in ["* * * *", "61 * * * *", "* * * 13 *", "@sometimes", "TZ=UTC * * * * *", "5-1 * * * *"] {
            let errors = try validationErrors(cron.replacingFirst("\"*/5 * * * *\"", with: "\"\(bad)\""))
            #expect(has(errors, .invalid, "spec.schedule"), "\(bad): \(errors)")
        }
        for good in ["@hourly", "0 0 * * sun", "0 9-17/2 * jan-jun 1-5", "0,30 * 1 * *"] {
            #expect(try validationErrors(cron.replacingFirst("\"*/5 * * * *\"", with: "\"\(good)\"")).isEmpty, "\(good)")
        }
    }

    static let goodService = """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: default}
        spec:
          selector: {app: web}
          ports:
          - {name: http, port: 80, targetPort: 8080}
          - {name: https, port: 443, targetPort: https}
        """

    @Test func services() throws {
        #expect(try validationErrors(Self.goodService).isEmpty)
        let cases: [(String, String, FieldError.ErrorType, String)] = [
            ("name: web,", "name: 1web,", .invalid, "metadata.name"),
            ("{name: https, port: 443, targetPort: https}", "{port: 443}", .required, "spec.ports[1].name"),
            ("{name: https, port: 443, targetPort: https}", "{name: http, port: 443}", .duplicate, "spec.ports[1].name"),
            ("{name: http, port: 80, targetPort: 8080}", "{name: http, port: 0}", .invalid, "spec.ports[0].port"),
            ("selector: {app: web}", "selector: {app: web}\n  type: Magic", .notSupported, "spec.type"),
            ("selector: {app: web}", "selector: {app: web}\n  clusterIP: 10.0.0.300", .invalid, "spec.clusterIP"),
            ("selector: {app: web}", "selector: {app: web}\n  type: ExternalName", .required, "spec.externalName"),
        ]
        for (replace, with, type, field) in cases {
            let errors = try validationErrors(Self.goodService.replacingFirst(replace, with: with))
            #expect(has(errors, type, field), "\(with): \(errors)")
        }
        let noPorts = "apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: d}\nspec: {selector: {a: b}}\n"
        #expect(has(try validationErrors(noPorts), .required, "spec.ports"))
        #expect(try validationErrors(noPorts.replacingFirst("{selector: {a: b}}", with: "{clusterIP: None}")).isEmpty)
    }

    @Test func configMapsSecretsAndOthers() throws {
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: d}\ndata: {\"bad key\": x, good.key: y}\n"
        #expect(try validationErrors(cm).map(\.field) == ["data"])
        let tls = "apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: d}\ntype: kubernetes.io/tls\ndata: {tls.crt: Zm9v}\n"
        #expect(has(try validationErrors(tls), .required, "data[tls.key]"))
        let ns = "apiVersion: v1\nkind: Namespace\nmetadata: {name: my.ns}\n"
        #expect(has(try validationErrors(ns), .invalid, "metadata.name"))
        let nsWithNamespace = "apiVersion: v1\nkind: Namespace\nmetadata: {name: ok, namespace: x}\n"
        #expect(has(try validationErrors(nsWithNamespace), .forbidden, "metadata.namespace"))
        let pdb = "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: p, namespace: d}\nspec: {minAvailable: 1, maxUnavailable: 10%}\n"
        #expect(has(try validationErrors(pdb), .invalid, "spec"))
        let lease = "apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: l, namespace: d}\nspec: {leaseDurationSeconds: 0}\n"
        #expect(has(try validationErrors(lease), .invalid, "spec.leaseDurationSeconds"))
        let node = "apiVersion: v1\nkind: Node\nmetadata: {name: n1}\nspec: {taints: [{key: k, effect: Sometimes}]}\n"
        #expect(has(try validationErrors(node), .notSupported, "spec.taints[0].effect"))
        let pvc = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c, namespace: d}\nspec: {accessModes: []}\n"
        let pvcErrors = try validationErrors(pvc)
        #expect(has(pvcErrors, .required, "spec.accessModes") && has(pvcErrors, .required, "spec.resources.requests[storage]"))
        let slice = "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s, namespace: d}\naddressType: IPv5\nendpoints: []\n"
        #expect(has(try validationErrors(slice), .notSupported, "addressType"))
    }

    @Test func invalidStatusMatchesKubernetesShape() throws {
        let errors = try validationErrors(Self.goodDeployment.replacingFirst("replicas: 2", with: "replicas: -1"))
        let resource = try #require(ResourceRegistry.resource(group: "apps", version: "v1", plural: "deployments"))
        let status = errors.invalidStatus(qualifiedKind: resource.qualifiedKind, group: "apps", kind: "Deployment", name: "web")
        #expect(status["code"] == 422)
        #expect(status["reason"] == "Invalid")
        #expect(status["message"] == #"Deployment.apps "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0"#)
        #expect(status["details"]?["causes"]?[0] == ["reason": "FieldValueInvalid", "message": "Invalid value: -1: must be greater than or equal to 0", "field": "spec.replicas"])
    }
}

@Suite("Update validation")
struct UpdateValidationTests {
    func object(_ yaml: String) throws -> (JSONValue, ResourceInfo) {
        var o = try JSONValue.parseYAML(yaml)
        let r = try #require(ResourceRegistry.resource(apiVersion: o["apiVersion"]?.stringValue ?? "", kind: o["kind"]?.stringValue ?? ""))
        Defaulting.apply(&o, resource: r)
        return (o, r)
    }

    @Test func podSpecIsImmutableExceptImagesDeadlineAndTolerations() throws {
        let (old, r) = try object(SemanticValidationTests.goodPod)
        var new = old
        new["spec"]?["containers"] = .array((old["spec"]?["containers"]?.arrayValue ?? []).map { var c = $0; c["image"] = "nginx:1.28"; return c })
        new["spec"]?["activeDeadlineSeconds"] = 60
        new["spec"]?["tolerations"] = .array((old["spec"]?["tolerations"]?.arrayValue ?? []) + [["key": "x", "operator": "Exists", "effect": "NoExecute"]])
        #expect(Validation.validateUpdate(old: old, new: new, resource: r).isEmpty)

        var changed = old
        changed["spec"]?["restartPolicy"] = "Never"
        let errors = Validation.validateUpdate(old: old, new: changed, resource: r)
        #expect(has(errors, .forbidden, "spec"))

        var renamed = old
        renamed["metadata"]?["name"] = "other"
        #expect(has(Validation.validateUpdate(old: old, new: renamed, resource: r), .invalid, "metadata.name"))
    }

    @Test func selectorsClusterIPsAndJobTemplatesAreImmutable() throws {
        let (deployment, dr) = try object(SemanticValidationTests.goodDeployment)
        var scaled = deployment
        scaled["spec"]?["replicas"] = 5
        #expect(Validation.validateUpdate(old: deployment, new: scaled, resource: dr).isEmpty)
        var reselected = deployment
        reselected["spec"]?["selector"] = ["matchLabels": ["app": "web", "v": "2"]]
        reselected["spec"]?["template"]?["metadata"]?["labels"] = ["app": "web", "v": "2"]
        #expect(has(Validation.validateUpdate(old: deployment, new: reselected, resource: dr), .invalid, "spec.selector"))

        let (originalService, sr) = try object(SemanticValidationTests.goodService)
        var service = originalService
        service["spec"]?["clusterIP"] = "10.43.0.20"
        var moved = service
        moved["spec"]?["clusterIP"] = "10.43.0.21"
        #expect(has(Validation.validateUpdate(old: service, new: moved, resource: sr), .invalid, "spec.clusterIP"))

        let (job, jr) = try object("""
            apiVersion: batch/v1
            kind: Job
            metadata: {name: j, namespace: d}
            spec:
              template:
                spec: {restartPolicy: Never, containers: [{name: c, image: a}]}
            """)
        var newImage = job
        newImage["spec"]?["template"]?["spec"]?["containers"] = [["name": "c", "image": "b"]]
        #expect(has(Validation.validateUpdate(old: job, new: newImage, resource: jr), .invalid, "spec.template"))
    }

    @Test func immutableConfigMaps() throws {
        let (cm, r) = try object("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: d}\nimmutable: true\ndata: {a: b}\n")
        var edited = cm
        edited["data"] = ["a": "c"]
        #expect(has(Validation.validateUpdate(old: cm, new: edited, resource: r), .forbidden, "data"))
    }
}
