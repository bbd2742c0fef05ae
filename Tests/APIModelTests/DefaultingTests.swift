import Testing

@testable import APIModel

@Suite("Defaulting")
struct DefaultingTests {
    func defaulted(_ yaml: String) throws -> JSONValue {
        var object = try JSONValue.parseYAML(yaml)
        let resource = try #require(ResourceRegistry.resource(apiVersion: object["apiVersion"]?.stringValue ?? "",
                                                              kind: object["kind"]?.stringValue ?? ""))
        Defaulting.apply(&object, resource: resource)
        return object
    }

    /// What a Kubernetes apiserver stores for a minimal pod (server-set metadata and status aside).
    @Test func minimalPod() throws {
        let pod = try defaulted("""
            apiVersion: v1
            kind: Pod
            metadata: {name: p, namespace: default}
            spec:
              containers:
              - name: c
                image: nginx
                ports: [{containerPort: 80}]
                resources: {limits: {cpu: 500m}}
            """)
        let expected = try JSONValue(json: """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default"},
             "spec":{"containers":[{"name":"c","image":"nginx","ports":[{"containerPort":80,"protocol":"TCP"}],
                                    "resources":{"limits":{"cpu":"500m"},"requests":{"cpu":"500m"}},
                                    "imagePullPolicy":"Always","terminationMessagePath":"/dev/termination-log",
                                    "terminationMessagePolicy":"File"}],
                     "restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst",
                     "securityContext":{},"schedulerName":"default-scheduler","enableServiceLinks":true,
                     "serviceAccountName":"default","serviceAccount":"default"}}
            """)
        #expect(pod == expected, "\(pod)")
        // Client keys keep their place; defaults follow them.
        #expect(pod["spec"]?["containers"]?[0]?.objectValue?.keys.prefix(4) == ["name", "image", "ports", "resources"])
    }

    @Test("image pull policy follows the tag", arguments: [
        ("nginx", "Always"), ("nginx:latest", "Always"), ("nginx:1.27", "IfNotPresent"),
        ("registry.local:5000/app", "Always"), ("registry.local:5000/app:v1", "IfNotPresent"),
        ("busybox@sha256:0123456789abcdef", "IfNotPresent"),
    ])
    func pullPolicy(image: String, policy: String) {
        #expect(Defaulting.imagePullPolicy(for: image) == policy)
    }

    @Test func podDetails() throws {
        let pod = try defaulted("""
            apiVersion: v1
            kind: Pod
            metadata: {name: p, namespace: default}
            spec:
              hostNetwork: true
              containers:
              - name: c
                image: app:v1
                imagePullPolicy: Never
                ports: [{containerPort: 8080}]
                env: [{name: NODE, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}]
                livenessProbe: {httpGet: {port: 8080}}
                lifecycle: {preStop: {httpGet: {port: 8080, path: /stop}}}
              volumes:
              - name: a
              - name: b
                configMap: {name: cm}
              - name: c
                secret: {secretName: s, defaultMode: 256}
              - name: d
                downwardAPI: {items: [{path: labels, fieldRef: {fieldPath: metadata.labels}}]}
              - name: e
                projected: {sources: [{serviceAccountToken: {path: token}}]}
            """)
        let c = try #require(pod["spec"]?["containers"]?[0])
        #expect(c["imagePullPolicy"] == "Never")
        #expect(c["ports"]?[0] == ["containerPort": 8080, "hostPort": 8080, "protocol": "TCP"])
        #expect(c["env"]?[0]?["valueFrom"]?["fieldRef"] == ["fieldPath": "spec.nodeName", "apiVersion": "v1"])
        #expect(c["livenessProbe"] == ["httpGet": ["port": 8080, "path": "/", "scheme": "HTTP"], "timeoutSeconds": 1,
                                       "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3])
        #expect(c["lifecycle"]?["preStop"]?["httpGet"] == ["port": 8080, "path": "/stop", "scheme": "HTTP"])
        let volumes = try #require(pod["spec"]?["volumes"]?.arrayValue)
        #expect(volumes[0] == ["name": "a", "emptyDir": [:]])
        #expect(volumes[1]["configMap"] == ["name": "cm", "defaultMode": 420])
        #expect(volumes[2]["secret"] == ["secretName": "s", "defaultMode": 256])
        #expect(volumes[3]["downwardAPI"] == ["items": [["path": "labels", "fieldRef": ["fieldPath": "metadata.labels", "apiVersion": "v1"]]],
                                              "defaultMode": 420])
        #expect(volumes[4]["projected"] == ["sources": [["serviceAccountToken": ["path": "token", "expirationSeconds": 3600]]],
                                            "defaultMode": 420])
    }

    @Test func minimalDeployment() throws {
        let deployment = try defaulted("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec:
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}}
                spec:
                  containers: [{name: c, image: "nginx:1.27"}]
            """)
        let expected = try JSONValue(json: """
            {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},
             "spec":{"selector":{"matchLabels":{"app":"web"}},
                     "template":{"metadata":{"labels":{"app":"web"}},
                                 "spec":{"containers":[{"name":"c","image":"nginx:1.27","imagePullPolicy":"IfNotPresent",
                                                        "terminationMessagePath":"/dev/termination-log",
                                                        "terminationMessagePolicy":"File","resources":{}}],
                                         "restartPolicy":"Always","terminationGracePeriodSeconds":30,
                                         "dnsPolicy":"ClusterFirst","securityContext":{},"schedulerName":"default-scheduler"}},
                     "replicas":1,
                     "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":"25%","maxSurge":"25%"}},
                     "revisionHistoryLimit":10,"progressDeadlineSeconds":600}}
            """)
        #expect(deployment == expected, "\(deployment)")
    }

    @Test func recreateStrategyGetsNoRollingUpdate() throws {
        let deployment = try defaulted("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: default}
            spec: {strategy: {type: Recreate}, selector: {matchLabels: {a: b}}}
            """)
        #expect(deployment["spec"]?["strategy"] == ["type": "Recreate"])
    }

    @Test func minimalService() throws {
        let service = try defaulted("""
            apiVersion: v1
            kind: Service
            metadata: {name: web, namespace: default}
            spec:
              selector: {app: web}
              ports: [{port: 80}]
            """)
        let expected = try JSONValue(json: """
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"web","namespace":"default"},
             "spec":{"selector":{"app":"web"},"ports":[{"port":80,"protocol":"TCP","targetPort":80}],
                     "type":"ClusterIP","sessionAffinity":"None","internalTrafficPolicy":"Cluster","ipFamilyPolicy":"SingleStack"}}
            """)
        #expect(service == expected, "\(service)")
        let nodePort = try defaulted("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: NodePort, sessionAffinity: ClientIP, ports: [{port: 80, targetPort: http}]}\n")
        #expect(nodePort["spec"]?["externalTrafficPolicy"] == "Cluster")
        #expect(nodePort["spec"]?["sessionAffinityConfig"] == ["clientIP": ["timeoutSeconds": 10800]])
        #expect(nodePort["spec"]?["ports"]?[0]?["targetPort"] == "http")
    }

    @Test func workloads() throws {
        let sts = try defaulted("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec: {volumeClaimTemplates: [{metadata: {name: d}, spec: {}}]}\n")
        #expect(sts["spec"]?["replicas"] == 1)
        #expect(sts["spec"]?["podManagementPolicy"] == "OrderedReady")
        #expect(sts["spec"]?["updateStrategy"] == ["type": "RollingUpdate", "rollingUpdate": ["partition": 0]])
        #expect(sts["spec"]?["revisionHistoryLimit"] == 10)
        #expect(sts["spec"]?["persistentVolumeClaimRetentionPolicy"] == ["whenDeleted": "Retain", "whenScaled": "Retain"])
        #expect(sts["spec"]?["volumeClaimTemplates"]?[0]?["spec"]?["volumeMode"] == "Filesystem")

        let ds = try defaulted("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: d}\nspec: {}\n")
        #expect(ds["spec"] == ["updateStrategy": ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 1, "maxSurge": 0]],
                               "revisionHistoryLimit": 10])

        let rs = try defaulted("apiVersion: apps/v1\nkind: ReplicaSet\nmetadata: {name: r}\nspec: {}\n")
        #expect(rs["spec"] == ["replicas": 1])

        let rc = try defaulted("apiVersion: v1\nkind: ReplicationController\nmetadata: {name: r}\nspec: {template: {metadata: {labels: {a: b}}}}\n")
        #expect(rc["spec"]?["selector"] == ["a": "b"])
        #expect(rc["metadata"]?["labels"] == ["a": "b"])
        #expect(rc["spec"]?["replicas"] == 1)

        let job = try defaulted("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec: {}\n")
        #expect(job["spec"] == ["completions": 1, "parallelism": 1, "backoffLimit": 6, "completionMode": "NonIndexed",
                                "suspend": false, "podReplacementPolicy": "TerminatingOrFailed"])
        let parallelOnly = try defaulted("apiVersion: batch/v1\nkind: Job\nmetadata: {name: j}\nspec: {parallelism: 3}\n")
        #expect(parallelOnly["spec"]?["completions"] == nil)

        let cron = try defaulted("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec: {schedule: '@daily', jobTemplate: {spec: {template: {spec: {containers: [{name: c, image: i}]}}}}}\n")
        #expect(cron["spec"]?["concurrencyPolicy"] == "Allow")
        #expect(cron["spec"]?["suspend"] == false)
        #expect(cron["spec"]?["successfulJobsHistoryLimit"] == 3)
        #expect(cron["spec"]?["failedJobsHistoryLimit"] == 1)
        #expect(cron["spec"]?["jobTemplate"]?["spec"]?["template"]?["spec"]?["dnsPolicy"] == "ClusterFirst")
        #expect(cron["spec"]?["jobTemplate"]?["spec"]?["backoffLimit"] == nil)
    }

    @Test func coreKinds() throws {
        let secret = try defaulted("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {a: eA==}\nstringData: {b: hello, a: over}\n")
        #expect(secret["type"] == "Opaque")
        #expect(secret["data"] == ["a": "b3Zlcg==", "b": "aGVsbG8="])
        #expect(secret["stringData"] == nil)

        let ns = try defaulted("apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n")
        #expect(ns["spec"] == ["finalizers": ["kubernetes"]])
        #expect(ns["status"] == ["phase": "Active"])
        #expect(ns["metadata"]?["labels"] == ["kubernetes.io/metadata.name": "demo"])

        let pvc = try defaulted("apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: c}\nspec: {}\n")
        #expect(pvc["spec"]?["volumeMode"] == "Filesystem")
        let pv = try defaulted("apiVersion: v1\nkind: PersistentVolume\nmetadata: {name: v}\nspec: {}\n")
        #expect(pv["spec"]?["persistentVolumeReclaimPolicy"] == "Retain")
        let pc = try defaulted("apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 1000\n")
        #expect(pc["preemptionPolicy"] == "PreemptLowerPriority")
        let slice = try defaulted("apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: s}\naddressType: IPv4\nendpoints: []\nports: [{port: 80}]\n")
        #expect(slice["ports"] == [["port": 80, "protocol": "TCP"]])
        let lease = try defaulted("apiVersion: coordination.k8s.io/v1\nkind: Lease\nmetadata: {name: l}\nspec: {}\n")
        #expect(lease["spec"] == [:])
    }

    @Test func defaultsNeverOverrideClientValues() throws {
        let deployment = try defaulted("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web}
            spec:
              replicas: 0
              revisionHistoryLimit: 2
              strategy: {rollingUpdate: {maxSurge: 1}}
            """)
        #expect(deployment["spec"]?["replicas"] == 0)
        #expect(deployment["spec"]?["revisionHistoryLimit"] == 2)
        #expect(deployment["spec"]?["strategy"] == ["rollingUpdate": ["maxSurge": 1, "maxUnavailable": "25%"], "type": "RollingUpdate"])
    }
}
