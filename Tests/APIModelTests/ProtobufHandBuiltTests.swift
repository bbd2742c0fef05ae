import Foundation
import Testing

@testable import APIModel

/// Wire bytes built field by field (numbers from k8s.io/api's generated.proto) for shapes the
/// captured kubectl bodies do not cover, and malformed input.
@Suite struct ProtobufHandBuiltTests {
    typealias PB = ProtobufTestEncoder

    @Test func deleteOptionsWithPreconditions() throws {
        let raw = PB.message { o in
            o.varint(1, 0)  // gracePeriodSeconds: a pointer, so 0 is kept
            o.message(2) { p in
                p.string(1, "6b1f-uid")
                p.string(2, "42")
            }
            o.string(4, "Foreground")
            o.string(5, "All")
        }
        let decoded = try KubernetesProtobuf.decode(PB.envelope(apiVersion: "v1", kind: "DeleteOptions", raw: raw))
        let expected: JSONValue = [
            "kind": "DeleteOptions", "apiVersion": "v1", "gracePeriodSeconds": 0,
            "preconditions": ["uid": "6b1f-uid", "resourceVersion": "42"],
            "propagationPolicy": "Foreground", "dryRun": ["All"],
        ]
        #expect(decoded == expected)
    }

    @Test func deleteOptionsUnderMetaGroup() throws {
        let raw = PB.message { o in o.string(4, "Orphan") }
        let decoded = try KubernetesProtobuf.decode(PB.envelope(apiVersion: "meta.k8s.io/v1", kind: "DeleteOptions", raw: raw))
        #expect(decoded == ["kind": "DeleteOptions", "apiVersion": "meta.k8s.io/v1", "propagationPolicy": "Orphan"])
    }

    /// ObjectMeta the way Go writes it: every value field present, empty ones included.
    static func objectMeta(_ m: inout PB, name: String, namespace: String) {
        m.string(1, name)
        m.string(2, "")
        m.string(3, namespace)
        m.string(4, "")
        m.string(5, "")
        m.string(6, "")
        m.varint(7, 0)
        m.message(8) { _ in }
        m.entry(11, "app", "web")
        m.entry(12, "note", "x=y")
        m.message(13) { r in
            r.string(1, "ReplicaSet")
            r.string(3, "web-5d8")
            r.string(4, "uid-1")
            r.string(5, "apps/v1")
            r.bool(6, true)
            r.bool(7, true)
        }
        m.string(14, "example.com/guard")
        m.time(9, seconds: 1_700_000_000)
        m.varint(10, 30)
    }

    @Test func podWithEnvResourcesVolumesAndProbes() throws {
        let raw = PB.message { pod in
            pod.message(1) { Self.objectMeta(&$0, name: "web-0", namespace: "default") }
            pod.message(2) { spec in
                spec.message(1) { volume in
                    volume.string(1, "config")
                    volume.message(2) { source in
                        source.message(19) { cm in
                            cm.message(1) { ref in ref.string(1, "settings") }
                            cm.varint(3, 420)
                        }
                    }
                }
                spec.message(1) { volume in
                    volume.string(1, "scratch")
                    volume.message(2) { source in
                        source.message(2) { dir in
                            dir.string(1, "Memory")
                            dir.message(2) { q in q.string(1, "64Mi") }
                        }
                    }
                }
                spec.message(2) { c in
                    c.string(1, "app")
                    c.string(2, "nginx:1.27")
                    c.string(3, "nginx")
                    c.string(4, "-g")
                    c.string(4, "daemon off;")
                    c.message(6) { port in
                        port.string(1, "http")
                        port.varint(2, 0)
                        port.varint(3, 80)
                        port.string(4, "TCP")
                        port.string(5, "")
                    }
                    c.message(7) { env in
                        env.string(1, "MODE")
                        env.string(2, "fast")
                    }
                    c.message(7) { env in
                        env.string(1, "PASSWORD")
                        env.string(2, "")
                        env.message(3) { from in
                            from.message(4) { key in
                                key.message(1) { ref in ref.string(1, "creds") }
                                key.string(2, "password")
                            }
                        }
                    }
                    c.message(8) { resources in
                        resources.quantityEntry(1, "memory", "128Mi")
                        resources.quantityEntry(2, "cpu", "250m")
                    }
                    c.message(9) { mount in
                        mount.string(1, "config")
                        mount.bool(2, true)
                        mount.string(3, "/etc/app")
                        mount.string(4, "")
                        mount.string(6, "")
                    }
                    c.message(10) { probe in
                        probe.message(1) { handler in
                            handler.message(2) { http in
                                http.string(1, "/healthz")
                                http.intOrString(2, string: "http")
                                http.string(3, "")
                                http.string(4, "HTTP")
                            }
                        }
                        probe.varint(2, 5)
                        probe.varint(3, 1)
                        probe.varint(4, 10)
                        probe.varint(5, 1)
                        probe.varint(6, 3)
                    }
                    c.string(13, "/dev/termination-log")
                    c.string(14, "IfNotPresent")
                    c.bool(16, false)
                    c.bool(18, false)
                }
                spec.string(3, "Always")
                spec.varint(4, 30)
                spec.entry(7, "disk", "ssd")
                spec.bool(11, false)
                spec.varint(25, -5)  // priority, a negative int32 (ten-byte varint)
            }
            pod.message(3) { _ in }
        }
        let decoded = try KubernetesProtobuf.decode(PB.envelope(apiVersion: "v1", kind: "Pod", raw: raw))
        let expected: JSONValue = [
            "kind": "Pod", "apiVersion": "v1",
            "metadata": [
                "name": "web-0", "namespace": "default",
                "creationTimestamp": nil,
                "deletionTimestamp": "2023-11-14T22:13:20Z", "deletionGracePeriodSeconds": 30,
                "labels": ["app": "web"], "annotations": ["note": "x=y"],
                "ownerReferences": [["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-5d8", "uid": "uid-1",
                                     "controller": true, "blockOwnerDeletion": true]],
                "finalizers": ["example.com/guard"],
            ],
            "spec": [
                "volumes": [
                    ["name": "config", "configMap": ["name": "settings", "defaultMode": 420]],
                    ["name": "scratch", "emptyDir": ["medium": "Memory", "sizeLimit": "64Mi"]],
                ],
                "containers": [[
                    "name": "app", "image": "nginx:1.27", "command": ["nginx"], "args": ["-g", "daemon off;"],
                    "ports": [["name": "http", "containerPort": 80, "protocol": "TCP"]],
                    "env": [["name": "MODE", "value": "fast"],
                            ["name": "PASSWORD", "valueFrom": ["secretKeyRef": ["name": "creds", "key": "password"]]]],
                    "resources": ["limits": ["memory": "128Mi"], "requests": ["cpu": "250m"]],
                    "volumeMounts": [["name": "config", "readOnly": true, "mountPath": "/etc/app"]],
                    "livenessProbe": ["httpGet": ["path": "/healthz", "port": "http", "scheme": "HTTP"],
                                      "initialDelaySeconds": 5, "timeoutSeconds": 1, "periodSeconds": 10,
                                      "successThreshold": 1, "failureThreshold": 3],
                    "terminationMessagePath": "/dev/termination-log", "imagePullPolicy": "IfNotPresent",
                ]],
                "restartPolicy": "Always", "terminationGracePeriodSeconds": 30, "nodeSelector": ["disk": "ssd"],
                "priority": -5,
            ],
            "status": [:],
        ]
        #expect(decoded == expected.droppingNulls(), "\(decoded.jsonString())")
    }

    @Test func jobKeepsPointerZerosAndStatefulSetDecodes() throws {
        let job = PB.message { j in
            j.message(1) { $0.string(1, "once") }
            j.message(2) { spec in
                spec.varint(7, 0)  // backoffLimit: pointer → "backoffLimit": 0
                spec.bool(10, false)  // suspend: pointer → false kept
                spec.message(6) { template in
                    template.message(1) { _ in }
                    template.message(2) { podSpec in
                        podSpec.message(2) { c in
                            c.string(1, "c")
                            c.string(2, "busybox")
                        }
                        podSpec.string(3, "Never")
                    }
                }
            }
        }
        let decoded = try KubernetesProtobuf.decode(PB.envelope(apiVersion: "batch/v1", kind: "Job", raw: job))
        #expect(decoded.value(at: ["spec", "backoffLimit"]) == .int(0))
        #expect(decoded.value(at: ["spec", "suspend"]) == .bool(false))
        #expect(decoded.value(at: ["spec", "template", "spec", "restartPolicy"]) == "Never")

        let sts = PB.message { s in
            s.message(1) { $0.string(1, "db") }
            s.message(2) { spec in
                spec.varint(1, 2)
                spec.string(5, "db-headless")
            }
        }
        let set = try KubernetesProtobuf.decode(PB.envelope(apiVersion: "apps/v1", kind: "StatefulSet", raw: sts))
        #expect(set.value(at: ["spec", "replicas"]) == .int(2))
        #expect(set.value(at: ["spec", "serviceName"]) == "db-headless")
    }

    @Test func envelopeMayCarryJSON() throws {
        let raw = Array(#"{"metadata":{"name":"a"},"data":{"k":"v"}}"#.utf8)
        let decoded = try KubernetesProtobuf.decode(PB.envelope(apiVersion: "v1", kind: "ConfigMap", raw: raw,
                                                                contentType: "application/json"))
        #expect(decoded == ["kind": "ConfigMap", "apiVersion": "v1", "metadata": ["name": "a"], "data": ["k": "v"]])
        let broken = PB.envelope(apiVersion: "v1", kind: "ConfigMap", raw: Array("{".utf8), contentType: "application/json")
        #expect(Self.errorMessage(broken)?.contains("ConfigMap") == true)
    }

    @Test func unknownFieldsAreSkipped() throws {
        let raw = PB.message { ns in
            ns.message(1) { $0.string(1, "a") }
            ns.varint(99, 7)
            ns.string(98, "future")
        }
        let decoded = try KubernetesProtobuf.decode(PB.envelope(apiVersion: "v1", kind: "Namespace", raw: raw))
        #expect(decoded == ["kind": "Namespace", "apiVersion": "v1", "metadata": ["name": "a"]])
    }

    static func errorMessage(_ bytes: [UInt8]) -> String? {
        do {
            _ = try KubernetesProtobuf.decode(bytes)
            return nil
        } catch let error as ProtobufDecodingError {
            return error.message
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func unknownKindIsAnErrorNamingIt() {
        let bytes = PB.envelope(apiVersion: "example.com/v1", kind: "Widget", raw: [])
        let message = Self.errorMessage(bytes)
        #expect(message?.contains("Widget") == true, "\(message ?? "no error")")
    }

    @Test func missingMagicAndEncodingsAreErrors() {
        #expect(Self.errorMessage(Array("{\"kind\":\"Pod\"}".utf8)) != nil)
        #expect(Self.errorMessage([]) != nil)
        let gzip = PB.envelope(apiVersion: "v1", kind: "Namespace", raw: [], contentEncoding: "gzip")
        #expect(Self.errorMessage(gzip)?.contains("gzip") == true)
    }

    @Test func wrongWireTypeNamesTheField() {
        let raw = PB.message { d in
            d.message(1) { $0.string(1, "web") }
            d.message(2) { spec in spec.string(1, "three") }  // replicas is a varint
        }
        let message = Self.errorMessage(PB.envelope(apiVersion: "apps/v1", kind: "Deployment", raw: raw))
        #expect(message?.hasPrefix("Deployment field spec.replicas:") == true, "\(message ?? "no error")")
    }

    @Test func nestedErrorsCarryTheirPath() {
        let raw = PB.message { d in
            d.message(2) { spec in
                spec.message(3) { template in
                    template.message(2) { podSpec in
                        podSpec.message(2) { c in c.string(1, "ok") }
                        podSpec.message(2) { c in c.varint(2, 1) }  // image must be a string
                    }
                }
            }
        }
        let message = Self.errorMessage(PB.envelope(apiVersion: "apps/v1", kind: "Deployment", raw: raw))
        #expect(message == "Deployment field spec.template.spec.containers[1].image: wire type 0, expected 2")
    }

    @Test func invalidUTF8IsAnError() {
        let raw = PB.message { ns in ns.message(1) { $0.bytes(1, [0xff, 0xfe]) } }
        let message = Self.errorMessage(PB.envelope(apiVersion: "v1", kind: "Namespace", raw: raw))
        #expect(message?.contains("metadata.name") == true, "\(message ?? "no error")")
    }

    /// Every prefix of real bodies, and every single-byte corruption of one, either decodes or
    /// throws; none may crash.
    @Test func truncatedAndCorruptedInputNeverCrashes() throws {
        let directory = ProtobufKubectlFixtureTests.directory
        for name in ["deployment", "service-nodeport", "cronjob", "secret-generic"] {
            let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent("\(name).bin")))
            var failures = 0
            for length in 0..<bytes.count where Self.errorMessage(Array(bytes[0..<length])) != nil { failures += 1 }
            #expect(failures > 0)
            #expect(Self.errorMessage(bytes) == nil)
        }
        let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent("deployment.bin")))
        for index in bytes.indices {
            for replacement: UInt8 in [0x00, 0x7f, 0x80, 0xff] {
                var corrupted = bytes
                corrupted[index] = replacement
                _ = Self.errorMessage(corrupted)
            }
        }
    }

    @Test func truncatedLengthIsAnError() {
        let raw: [UInt8] = [0x0a, 0x10, 0x0a, 0x02]  // metadata claims 16 bytes, 2 follow
        let message = Self.errorMessage(PB.envelope(apiVersion: "v1", kind: "Namespace", raw: raw))
        #expect(message?.contains("Namespace") == true, "\(message ?? "no error")")
    }

    @Test func timesAndDurationsRenderLikeGo() {
        #expect(ProtobufTime.rfc3339(seconds: 0, nanos: 0, micro: false) == "1970-01-01T00:00:00Z")
        #expect(ProtobufTime.rfc3339(seconds: 1_709_210_096, nanos: 123_456_789, micro: true) == "2024-02-29T12:34:56.123456Z")
        #expect(ProtobufTime.goDuration(nanoseconds: 3_600_000_000_000) == "1h0m0s")
        #expect(ProtobufTime.goDuration(nanoseconds: 90_000_000_000) == "1m30s")
        #expect(ProtobufTime.goDuration(nanoseconds: 1_500_000_000) == "1.5s")
        #expect(ProtobufTime.goDuration(nanoseconds: 300_000_000) == "300ms")
        #expect(ProtobufTime.goDuration(nanoseconds: 0) == "0s")
    }
}
