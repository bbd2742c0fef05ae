import APIModel
import ClusterClient
import ClusterTestSupport
import ContainerRuntime
import Foundation
@testable import NodeAgent
import Testing

/// The kubelet against a real apiserver, a real registry and the real runtime: the node
/// registers and becomes Ready; pods run, restart, report OOM kills, run init containers in
/// order, read env from ConfigMaps and the downward API, obey probes, and are removed when
/// deleted; a new agent adopts running containers.
@Suite("Kubelet with real pods", .serialized, .enabled(if: kubeletTestsCanRun, "\(kubeletTestsNeed)"))
struct KubeletPodTests {
    @Test("node registration, pods Running/Ready, restarts with CrashLoopBackOff, OOMKilled, init order, env, probes, deletion")
    func podsOnANode() async throws {
        let directory = makeKubeletTestDirectory()
        let configuration = try await withBusyboxRegistry(directory: directory) { registry in
            let configuration = makeKubeletTestConfiguration(registry: registry, directory: directory)
            do {
                try await withTestCluster { cluster in
                    try await Self.scenarios(cluster: cluster, configuration: configuration)
                }
            } catch {
                await cleanUpKubeletTestNode(configuration, directory: directory)
                throw error
            }
            return configuration
        }
        await cleanUpKubeletTestNode(configuration, directory: directory)
    }

    static func scenarios(cluster: TestCluster, configuration: KubeletConfiguration) async throws {
        let client = cluster.client
        let node = configuration.nodeName
        var configuration = configuration
        let manifests = configuration.dataDirectory + "-manifests"
        try FileManager.default.createDirectory(atPath: manifests, withIntermediateDirectories: true)
        try """
        apiVersion: v1
        kind: Pod
        metadata:
          name: static-web
          namespace: default
        spec:
          hostNetwork: true
          containers:
          - name: main
            image: busybox:1.36
            command: ["sleep", "3600"]
        """.write(toFile: manifests + "/static-web.yaml", atomically: true, encoding: .utf8)
        configuration.staticPodPath = manifests
        let kubelet = try RunningKubelet(configuration: configuration, client: client)
        do {
            // The node registers with the machine's capacity and becomes Ready; its Lease is renewed.
            let registered = try await eventually("node Ready") { () -> JSONValue? in
                let object = try await client.get(.nodes, name: node)
                return podCondition(object, "Ready") == "True" ? Optional(object) : nil
            }
            #expect(registered["status"]?["capacity"]?["pods"] == "110")
            #expect(Int(registered["status"]?["capacity"]?["cpu"]?.stringValue ?? "") ?? 0 >= 1)
            #expect(registered["status"]?["capacity"]?["memory"]?.stringValue?.hasSuffix("Ki") == true)
            #expect(registered["status"]?["allocatable"]?["memory"] != nil)
            #expect(registered.labels["kubernetes.io/hostname"] == node && registered.labels["kubernetes.io/os"] == "linux")
            #expect(registered["status"]?["nodeInfo"]?["kubeletVersion"] == "v1.32.4-skiff")
            let types = Set(registered["status"]?["conditions"]?.arrayValue?.compactMap { $0["type"]?.stringValue } ?? [])
            #expect(types == ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"])
            #expect(registered["status"]?["addresses"]?.arrayValue?.contains { $0["type"] == "InternalIP" } == true)
            _ = try await eventually("node lease") { try await client.get(.leases, namespace: "kube-node-lease", name: node) }

            _ = try await client.create(.configMaps, namespace: "default", [
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "settings"], "data": ["greeting": "hello"]])
            let image = "busybox:1.36"
            let pods: [JSONValue] = [
                testPod("web", node: node, containers: [[
                    "name": "main", "image": .string(image),
                    "command": ["sh", "-c", "echo \"$GREETING from $POD_NAME in $POD_NS\"; echo \"file says $(cat /etc/settings/greeting)\"; touch /tmp/ready; exec sleep 3600"],
                    "volumeMounts": [["name": "settings", "mountPath": "/etc/settings"]],
                    "env": [["name": "GREETING", "valueFrom": ["configMapKeyRef": ["name": "settings", "key": "greeting"]]],
                            ["name": "POD_NAME", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]],
                            ["name": "POD_NS", "valueFrom": ["fieldRef": ["fieldPath": "metadata.namespace"]]]],
                    "readinessProbe": ["exec": ["command": ["cat", "/tmp/ready"]], "periodSeconds": 1],
                ]]).withVolumes([["name": "settings", "configMap": ["name": "settings"]]]),
                testPod("crash", node: node, containers: [["name": "main", "image": .string(image), "command": ["sh", "-c", "exit 3"]]]),
                testPod("oom", node: node, containers: [[
                    "name": "main", "image": .string(image),
                    "command": ["sh", "-c", "exec dd if=/dev/zero of=/dev/null bs=96M count=1"],
                    "resources": ["limits": ["memory": "32Mi"]]]], restartPolicy: "Never"),
                testPod("init", node: node, containers: [["name": "main", "image": .string(image), "command": ["sleep", "3600"]]],
                        initContainers: [["name": "first", "image": .string(image), "command": ["sleep", "1"]],
                                         ["name": "second", "image": .string(image), "command": ["true"]]]),
                testPod("unready", node: node, containers: [[
                    "name": "main", "image": .string(image), "command": ["sleep", "3600"],
                    "readinessProbe": ["exec": ["command": ["false"]], "periodSeconds": 1]]]),
                testPod("liveness", node: node, containers: [[
                    "name": "main", "image": .string(image),
                    "command": ["sh", "-c", "touch /tmp/healthy; sleep 2; rm /tmp/healthy; exec sleep 3600"],
                    "livenessProbe": ["exec": ["command": ["test", "-f", "/tmp/healthy"]], "periodSeconds": 1, "failureThreshold": 1]]]),
            ]
            let more: [JSONValue] = [
                testPod("missing", node: node, containers: [["name": "main", "image": "nothere:1.0", "command": ["true"]]]),
                testPod("nonroot", node: node, containers: [["name": "main", "image": .string(image), "command": ["true"],
                                                             "securityContext": ["runAsNonRoot": true]]]),
                testPod("netpod", node: node, containers: [["name": "main", "image": .string(image), "command": ["sleep", "3600"]]],
                        hostNetwork: false),
            ]
            for pod in pods + more { _ = try await client.create(.pods, namespace: "default", pod) }

            // A running pod reports Running and Ready, its container status, and the env it was given.
            let web = try await eventually("web Running and Ready") { () -> JSONValue? in
                let pod = try await client.get(.pods, namespace: "default", name: "web")
                return pod["status"]?["phase"] == "Running" && podCondition(pod, "Ready") == "True" ? Optional(pod) : nil
            }
            let main = containerStatus(web, "main")
            #expect(main?["ready"] == true && main?["started"] == true && main?["restartCount"] == 0)
            #expect(main?["state"]?["running"]?["startedAt"]?.stringValue != nil)
            #expect(main?["containerID"]?.stringValue?.hasPrefix("skiff://") == true)
            #expect(main?["imageID"]?.stringValue?.contains("@sha256:") == true)
            #expect(web["status"]?["podIP"] == "127.0.0.1" && web["status"]?["qosClass"] == "BestEffort")
            for type in ["PodScheduled", "Initialized", "ContainersReady", "Ready", "PodReadyToStartContainers"] {
                #expect(podCondition(web, type) == "True", "condition \(type)")
            }
            let webLog = configuration.dataDirectory + "/pods/\(web.uid)/main/0.log"
            let logged = try await eventually("web's log") { () -> String? in
                let text = (try? String(contentsOfFile: webLog, encoding: .utf8)) ?? ""
                return text.contains("file says") ? text : nil
            }
            #expect(logged.contains("hello from web in default"))
            #expect(logged.contains("file says hello"), "the configMap volume is mounted")

            // A container exiting under restartPolicy Always restarts, with CrashLoopBackOff between.
            let sawBackOff = KubeletTestFlag()
            let crashed = try await eventually("crash restarted twice") { () -> JSONValue? in
                let pod = try await client.get(.pods, namespace: "default", name: "crash")
                let status = containerStatus(pod, "main")
                if status?["state"]?["waiting"]?["reason"] == "CrashLoopBackOff" { sawBackOff.set() }
                return (status?["restartCount"]?.intValue ?? 0) >= 2 ? Optional(pod) : nil
            }
            #expect(sawBackOff.isSet)
            let crashStatus = containerStatus(crashed, "main")
            let lastTerminated = crashStatus?["lastState"]?["terminated"] ?? crashStatus?["state"]?["terminated"]
            #expect(lastTerminated?["exitCode"] == 3 && lastTerminated?["reason"] == "Error")

            // Over its memory limit: OOMKilled, and (restartPolicy Never) the pod fails.
            let oom = try await eventually("oom terminated") { () -> JSONValue? in
                let pod = try await client.get(.pods, namespace: "default", name: "oom")
                return containerStatus(pod, "main")?["state"]?["terminated"] != nil ? Optional(pod) : nil
            }
            #expect(containerStatus(oom, "main")?["state"]?["terminated"]?["reason"] == "OOMKilled")
            _ = try await eventually("oom Failed") { () -> Bool? in
                try await client.get(.pods, namespace: "default", name: "oom")["status"]?["phase"] == "Failed" ? true : nil
            }

            // Init containers run one after the other, then the main container.
            let initPod = try await eventually("init pod Running") { () -> JSONValue? in
                let pod = try await client.get(.pods, namespace: "default", name: "init")
                return pod["status"]?["phase"] == "Running" ? Optional(pod) : nil
            }
            let first = containerStatus(initPod, "first", isInit: true)?["state"]?["terminated"]
            let second = containerStatus(initPod, "second", isInit: true)?["state"]?["terminated"]
            #expect(first?["reason"] == "Completed" && second?["reason"] == "Completed")
            #expect((first?["finishedAt"]?.stringValue ?? "~") <= (second?["startedAt"]?.stringValue ?? ""))
            #expect((second?["finishedAt"]?.stringValue ?? "~") <= (containerStatus(initPod, "main")?["state"]?["running"]?["startedAt"]?.stringValue ?? ""))
            #expect(podCondition(initPod, "Initialized") == "True")

            // A failing readiness probe keeps the running pod unready.
            _ = try await eventually("unready Running") { () -> Bool? in
                try await client.get(.pods, namespace: "default", name: "unready")["status"]?["phase"] == "Running" ? true : nil
            }
            try await Task.sleep(for: .seconds(3))
            let unready = try await client.get(.pods, namespace: "default", name: "unready")
            #expect(podCondition(unready, "Ready") == "False" && containerStatus(unready, "main")?["ready"] == false)
            #expect(containerStatus(unready, "main")?["state"]?["running"] != nil)

            // A failing liveness probe restarts the container.
            _ = try await eventually("liveness restart") { () -> Bool? in
                let pod = try await client.get(.pods, namespace: "default", name: "liveness")
                return (containerStatus(pod, "main")?["restartCount"]?.intValue ?? 0) >= 1 ? true : nil
            }

            // An image the registry does not have: the pull fails (ErrImagePull, reported as an
            // event), then the kubelet backs off (ImagePullBackOff in the status).
            _ = try await eventually("missing image backing off") { () -> Bool? in
                let pod = try await client.get(.pods, namespace: "default", name: "missing")
                let waiting = containerStatus(pod, "main")?["state"]?["waiting"]
                return waiting?["reason"] == "ImagePullBackOff" && waiting?["message"]?.stringValue?.contains("nothere") == true ? true : nil
            }
            _ = try await eventually("ErrImagePull event") { () -> Bool? in
                let events = try await client.list(.events, namespace: "default").items
                return events.contains { $0["involvedObject"]?["name"] == "missing" && $0["reason"] == "Failed"
                    && $0["message"] == "Error: ErrImagePull" } ? true : nil
            }
            // runAsNonRoot with an image that runs as root is refused.
            _ = try await eventually("nonroot refused") { () -> Bool? in
                let pod = try await client.get(.pods, namespace: "default", name: "nonroot")
                return containerStatus(pod, "main")?["state"]?["waiting"]?["reason"] == "CreateContainerConfigError" ? true : nil
            }
            // A pod on the pod network gets an address from the node's pod CIDR.
            let netpod = try await eventually("netpod Running") { () -> JSONValue? in
                let pod = try await client.get(.pods, namespace: "default", name: "netpod")
                return pod["status"]?["phase"] == "Running" ? Optional(pod) : nil
            }
            let cidrPrefix = (configuration.podCIDR ?? "").split(separator: ".").prefix(3).joined(separator: ".") + "."
            #expect(netpod["status"]?["podIP"]?.stringValue?.hasPrefix(cidrPrefix) == true)
            // The static pod runs and is mirrored into the API.
            let mirror = try await eventually("static pod mirrored and Running") { () -> JSONValue? in
                let pod = try await client.get(.pods, namespace: "default", name: "static-web-\(node)")
                return pod["status"]?["phase"] == "Running" ? Optional(pod) : nil
            }
            #expect(mirror.annotations["kubernetes.io/config.mirror"] != nil)
            #expect(mirror.ownerReferences.first?.kind == "Node")

            // A deleted pod's containers stop and its object goes.
            let webUID = web.uid
            try await client.delete(.pods, namespace: "default", name: "web", options: DeleteOptions(gracePeriodSeconds: 2))
            _ = try await eventually("web removed") { () -> Bool? in
                do {
                    _ = try await client.get(.pods, namespace: "default", name: "web")
                    return nil
                } catch let error as ClientError where error.isNotFound {
                    return true
                }
            }
            let runtime = Runtime(root: configuration.dataDirectory + "/runtime")
            #expect(!runtime.list().contains { $0.record.annotations?[ContainerAnnotations.podUID] == webUID })

            try await kubelet.kubelet.stopAllPods()
            await kubelet.stop()
        } catch {
            for pod in (try? await client.list(.pods, namespace: "default"))?.items ?? [] {
                print("POD", pod.name, String(decoding: (pod["status"] ?? .null).encoded(), as: UTF8.self))
            }
            await kubelet.stop()
            throw error
        }
    }

    @Test("a new kubelet on the same data directory adopts a running container: same container, same restartCount")
    func adoption() async throws {
        let directory = makeKubeletTestDirectory()
        let configuration = try await withBusyboxRegistry(directory: directory) { registry in
            let configuration = makeKubeletTestConfiguration(registry: registry, directory: directory)
            do {
                try await withTestCluster { cluster in
                    let client = cluster.client
                    let node = configuration.nodeName
                    let first = try RunningKubelet(configuration: configuration, client: client)
                    _ = try await client.create(.pods, namespace: "default", testPod("keeper", node: node, containers: [
                        ["name": "main", "image": "busybox:1.36", "command": ["sh", "-c", "sleep 1; exit 1"]],
                        ["name": "steady", "image": "busybox:1.36", "command": ["sleep", "3600"]],
                    ]))
                    let before = try await eventually("keeper restarted once and running") { () -> JSONValue? in
                        let pod = try await client.get(.pods, namespace: "default", name: "keeper")
                        let steady = containerStatus(pod, "steady")
                        let main = containerStatus(pod, "main")
                        return steady?["state"]?["running"] != nil && (main?["restartCount"]?.intValue ?? 0) >= 1 ? Optional(pod) : nil
                    }
                    await first.stop()
                    let steadyBefore = containerStatus(before, "steady")
                    let runtime = Runtime(root: configuration.dataDirectory + "/runtime")
                    let countBefore = runtime.list().count

                    let second = try RunningKubelet(configuration: configuration, client: client)
                    do {
                        try await Task.sleep(for: .seconds(4))
                        let after = try await client.get(.pods, namespace: "default", name: "keeper")
                        let steadyAfter = containerStatus(after, "steady")
                        #expect(steadyAfter?["containerID"] == steadyBefore?["containerID"])
                        #expect(steadyAfter?["restartCount"] == steadyBefore?["restartCount"])
                        #expect(steadyAfter?["state"]?["running"] != nil)
                        #expect(steadyAfter?["state"]?["running"]?["startedAt"] == steadyBefore?["state"]?["running"]?["startedAt"])
                        #expect((containerStatus(after, "main")?["restartCount"]?.intValue ?? 0)
                                >= (containerStatus(before, "main")?["restartCount"]?.intValue ?? 0))
                        let steadyIDs = runtime.list().filter { $0.record.annotations?[ContainerAnnotations.containerName] == "steady" }
                        #expect(steadyIDs.count == 1, "the steady container was not duplicated")
                        #expect(runtime.list().count <= countBefore + 1)
                        try await second.kubelet.stopAllPods()
                        await second.stop()
                    } catch {
                        await second.stop()
                        throw error
                    }
                }
            } catch {
                await cleanUpKubeletTestNode(configuration, directory: directory)
                throw error
            }
            return configuration
        }
        await cleanUpKubeletTestNode(configuration, directory: directory)
    }
}
