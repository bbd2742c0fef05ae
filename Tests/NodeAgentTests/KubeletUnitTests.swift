import APIModel
import ClusterClient
import Foundation
@testable import NodeAgent
import OCI
import Testing

/// The kubelet's pure logic: QoS and cgroup layout, env resolution, the OCI config of a
/// container, back-off arithmetic and pod status. Fast, no root.
@Suite("Kubelet logic")
struct KubeletUnitTests {
    static func pod(_ containers: [JSONValue], initContainers: [JSONValue] = [], restartPolicy: String = "Always",
                    extraSpec: [String: JSONValue] = [:]) -> PodObject {
        var spec: JSONValue = ["containers": .array(containers), "restartPolicy": .string(restartPolicy), "nodeName": "n1",
                               "serviceAccountName": "default"]
        if !initContainers.isEmpty { spec["initContainers"] = .array(initContainers) }
        for (key, value) in extraSpec { spec[key] = value }
        return PodObject(["metadata": ["name": "web", "namespace": "ns", "uid": "u-1", "labels": ["app": "web"],
                                       "annotations": ["team": "a"]], "spec": spec])
    }

    @Test("QoS class from requests and limits, and the pod cgroup path")
    func qos() {
        let best = Self.pod([["name": "a", "image": "busybox"]])
        #expect(QoSClass.of(best) == .bestEffort)
        let guaranteed = Self.pod([["name": "a", "image": "busybox", "resources": ["limits": ["cpu": "500m", "memory": "64Mi"]]]])
        #expect(QoSClass.of(guaranteed) == .guaranteed)
        let burstable = Self.pod([["name": "a", "image": "busybox", "resources": ["requests": ["cpu": "100m"]]]])
        #expect(QoSClass.of(burstable) == .burstable)
        let unequal = Self.pod([["name": "a", "image": "busybox",
                                 "resources": ["requests": ["cpu": "100m", "memory": "64Mi"], "limits": ["cpu": "200m", "memory": "64Mi"]]]])
        #expect(QoSClass.of(unequal) == .burstable)
        #expect(QoSClass.podCgroup(root: "skiff", qos: .guaranteed, podUID: "x") == "skiff/kubepods/podx")
        #expect(QoSClass.podCgroup(root: "skiff", qos: .burstable, podUID: "x") == "skiff/kubepods/burstable/podx")
        #expect(QoSClass.podCgroup(root: "skiff", qos: .bestEffort, podUID: "x") == "skiff/kubepods/besteffort/podx")
        let resources = PodCgroupResources.of(guaranteed, qos: .guaranteed)
        #expect(resources.cpu?.quota == 50_000 && resources.cpu?.period == 100_000 && resources.cpu?.shares == 512)
        #expect(resources.memory?.limit == 64 << 20)
        #expect(PodCgroupResources.of(best, qos: .bestEffort).cpu?.shares == 2)
    }

    @Test("cpu shares and quota arithmetic")
    func cpu() {
        #expect(CPUResources.shares(cores: nil) == 2)
        #expect(CPUResources.shares(cores: 0.001) == 2)
        #expect(CPUResources.shares(cores: 1) == 1024)
        #expect(CPUResources.shares(cores: 0.25) == 256)
        #expect(CPUResources.quota(cores: 0.5) == 50_000)
        #expect(CPUResources.quota(cores: 0.001) == 1_000)
    }

    @Test("default image pull policy")
    func pullPolicy() {
        #expect(ContainerSpec.defaultPullPolicy(for: "busybox") == "Always")
        #expect(ContainerSpec.defaultPullPolicy(for: "busybox:latest") == "Always")
        #expect(ContainerSpec.defaultPullPolicy(for: "busybox:1.36") == "IfNotPresent")
        #expect(ContainerSpec.defaultPullPolicy(for: "localhost:5000/busybox") == "Always")
        #expect(ContainerSpec.defaultPullPolicy(for: "busybox@sha256:abcd") == "IfNotPresent")
    }

    @Test("$(VAR) expansion")
    func expansion() {
        let values = ["A": "1", "B": "two"]
        #expect(EnvironmentResolver.expand("$(A)-$(B)", { values[$0] }) == "1-two")
        #expect(EnvironmentResolver.expand("$(MISSING)", { values[$0] }) == "$(MISSING)")
        #expect(EnvironmentResolver.expand("$$(A)", { values[$0] }) == "$(A)")
        #expect(EnvironmentResolver.expand("cost $5", { values[$0] }) == "cost $5")
        #expect(EnvironmentResolver.expand("end$", { values[$0] }) == "end$")
    }

    @Test("env from envFrom, ConfigMap and Secret keys, fieldRef and resourceFieldRef")
    func environment() async throws {
        let container: JSONValue = [
            "name": "a", "image": "busybox", "resources": ["limits": ["memory": "64Mi", "cpu": "250m"]],
            "envFrom": [["configMapRef": ["name": "cm"], "prefix": "CM_"], ["secretRef": ["name": "absent", "optional": true]]],
            "env": [
                ["name": "GREETING", "valueFrom": ["configMapKeyRef": ["name": "cm", "key": "greeting"]]],
                ["name": "PASSWORD", "valueFrom": ["secretKeyRef": ["name": "sec", "key": "password"]]],
                ["name": "POD", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]],
                ["name": "APP", "valueFrom": ["fieldRef": ["fieldPath": "metadata.labels['app']"]]],
                ["name": "NODE", "valueFrom": ["fieldRef": ["fieldPath": "spec.nodeName"]]],
                ["name": "IP", "valueFrom": ["fieldRef": ["fieldPath": "status.podIP"]]],
                ["name": "MEM", "valueFrom": ["resourceFieldRef": ["resource": "limits.memory", "divisor": "1Mi"]]],
                ["name": "CPU", "valueFrom": ["resourceFieldRef": ["resource": "limits.cpu"]]],
                ["name": "MSG", "value": "$(GREETING) from $(POD)"],
            ],
        ]
        let pod = Self.pod([container])
        let lookup: ObjectLookup = { resource, namespace, name in
            #expect(namespace == "ns")
            if resource == .configMaps && name == "cm" { return ["data": ["greeting": "hello", "mode": "fast"]] }
            if resource == .secrets && name == "sec" { return ["data": ["password": .string(Data("s3cret".utf8).base64EncodedString())]] }
            return nil
        }
        let resolver = EnvironmentResolver(pod: pod, facts: DownwardFacts(hostIPs: ["10.0.0.1"], podIPs: ["10.42.0.5"]), lookup: lookup)
        let env = Dictionary(uniqueKeysWithValues: try await resolver.resolve(pod.containers[0]).map { ($0.name, $0.value) })
        #expect(env["CM_greeting"] == "hello" && env["CM_mode"] == "fast")
        #expect(env["GREETING"] == "hello" && env["PASSWORD"] == "s3cret")
        #expect(env["POD"] == "web" && env["APP"] == "web" && env["NODE"] == "n1" && env["IP"] == "10.42.0.5")
        #expect(env["MEM"] == "64" && env["CPU"] == "1")
        #expect(env["MSG"] == "hello from web")

        let missing = Self.pod([["name": "a", "image": "busybox",
                                 "env": [["name": "X", "valueFrom": ["configMapKeyRef": ["name": "nope", "key": "k"]]]]]])
        await #expect(throws: ContainerConfigError.self) {
            _ = try await EnvironmentResolver(pod: missing, facts: DownwardFacts(hostIPs: [], podIPs: []), lookup: lookup)
                .resolve(missing.containers[0])
        }
    }

    func inputs(_ pod: PodObject, image: ImageConfig.RunConfig? = nil, environment: [(String, String)] = [],
                volumes: [String: MountedVolume] = [:], sandbox: PodSandbox? = nil) -> ContainerConfigInputs {
        ContainerConfigInputs(pod: pod, container: pod.containers[0], image: image,
                              environment: environment.map { (name: $0.0, value: $0.1) }, runtimeID: "u-1_a_0", restartCount: 0,
                              cgroupsPath: "skiff/kubepods/besteffort/podu-1/u-1_a_0", qos: QoSClass.of(pod), sandbox: sandbox,
                              volumes: volumes, terminationLogPath: "/tmp/term")
    }

    @Test("config.json: command, args, image defaults, env, cwd")
    func configProcess() throws {
        let image = ImageConfig.RunConfig(User: "", Env: ["PATH=/bin", "FROM_IMAGE=1"], Entrypoint: ["/entry"], Cmd: ["default"],
                                          WorkingDir: "/srv")
        var spec = try ContainerConfigBuilder.build(inputs(Self.pod([["name": "a", "image": "i"]]), image: image))
        #expect(spec.process?.args == ["/entry", "default"])
        #expect(spec.process?.cwd == "/srv")
        #expect(spec.process?.env?.contains("FROM_IMAGE=1") == true && spec.process?.env?.contains("PATH=/bin") == true)

        let custom = Self.pod([["name": "a", "image": "i", "command": ["sh", "-c"], "args": ["echo $(NAME) $$(NAME)"], "workingDir": "/w"]])
        spec = try ContainerConfigBuilder.build(inputs(custom, image: image, environment: [("NAME", "x")]))
        #expect(spec.process?.args == ["sh", "-c", "echo x $(NAME)"])
        #expect(spec.process?.cwd == "/w")
        #expect(spec.process?.env?.contains("NAME=x") == true)
        #expect(spec.linux?.cgroupsPath == "skiff/kubepods/besteffort/podu-1/u-1_a_0")
        #expect(spec.annotations?[ContainerAnnotations.podUID] == "u-1")

        let argsOnly = Self.pod([["name": "a", "image": "i", "args": ["other"]]])
        spec = try ContainerConfigBuilder.build(inputs(argsOnly, image: image))
        #expect(spec.process?.args == ["/entry", "other"])
        let commandOnly = Self.pod([["name": "a", "image": "i", "command": ["/bin/true"]]])
        spec = try ContainerConfigBuilder.build(inputs(commandOnly, image: image))
        #expect(spec.process?.args == ["/bin/true"])
    }

    @Test("config.json: resources, security context, namespaces and mounts")
    func configSecurity() throws {
        let container: JSONValue = [
            "name": "a", "image": "i", "command": ["sh"],
            "resources": ["requests": ["cpu": "250m", "memory": "32Mi"], "limits": ["cpu": "500m", "memory": "64Mi"]],
            "securityContext": ["runAsUser": 1000, "runAsGroup": 2000, "readOnlyRootFilesystem": true,
                                "allowPrivilegeEscalation": false,
                                "capabilities": ["drop": ["NET_RAW", "chown"], "add": ["NET_ADMIN"]],
                                "seccompProfile": ["type": "RuntimeDefault"]],
            "volumeMounts": [["name": "data", "mountPath": "/data", "subPath": "sub", "readOnly": true]],
        ]
        let pod = Self.pod([container], extraSpec: ["securityContext": ["supplementalGroups": [5, 6], "fsGroup": 7]])
        let sandbox = PodSandbox(podUID: "u-1", networkNamespacePath: "/run/netns/p", ipcNamespacePath: "/run/ipc/p",
                                 utsNamespacePath: "/run/uts/p", podIPs: ["10.42.0.5"], hostsFilePath: "/p/hosts",
                                 resolvConfPath: "/p/resolv.conf", hostnameFilePath: "/p/hostname")
        let spec = try ContainerConfigBuilder.build(inputs(
            pod, volumes: ["data": MountedVolume(name: "data", hostPath: "/vol/data", readOnly: false)], sandbox: sandbox))
        #expect(spec.process?.user.uid == 1000 && spec.process?.user.gid == 2000)
        #expect(spec.process?.user.additionalGids == [5, 6, 7])
        #expect(spec.root?.readonly == true)
        #expect(spec.process?.noNewPrivileges == true)
        let caps = spec.process?.capabilities?.bounding ?? []
        #expect(caps.contains("CAP_NET_ADMIN") && !caps.contains("CAP_NET_RAW") && !caps.contains("CAP_CHOWN") && caps.contains("CAP_KILL"))
        #expect(spec.linux?.seccomp != nil)
        #expect(spec.linux?.resources?.cpu?.shares == 256 && spec.linux?.resources?.cpu?.quota == 50_000)
        #expect(spec.linux?.resources?.memory?.limit == 64 << 20)
        let namespaces = spec.linux?.namespaces ?? []
        #expect(namespaces.first { $0.type == "network" }?.path == "/run/netns/p")
        #expect(namespaces.first { $0.type == "ipc" }?.path == "/run/ipc/p")
        #expect(namespaces.first { $0.type == "uts" }?.path == "/run/uts/p")
        #expect(namespaces.contains { $0.type == "pid" && $0.path == nil })
        #expect(spec.hostname == nil)
        let mounts = spec.mounts ?? []
        #expect(mounts.contains { $0.destination == "/data" && $0.source == "/vol/data/sub" && $0.options?.contains("ro") == true })
        #expect(mounts.contains { $0.destination == "/etc/hosts" && $0.source == "/p/hosts" })
        #expect(mounts.contains { $0.destination == "/etc/resolv.conf" && $0.source == "/p/resolv.conf" })
        #expect(mounts.contains { $0.destination == "/dev/termination-log" && $0.source == "/tmp/term" })
    }

    @Test("runAsNonRoot refuses a root image user; privileged gets every capability; host network shares the host's")
    func configRefusals() throws {
        let nonRoot = Self.pod([["name": "a", "image": "i", "command": ["sh"], "securityContext": ["runAsNonRoot": true]]])
        #expect(throws: ContainerConfigError.self) { try ContainerConfigBuilder.build(inputs(nonRoot)) }
        let nonRootWithUser = Self.pod([["name": "a", "image": "i", "command": ["sh"], "securityContext": ["runAsNonRoot": true]]])
        let spec = try ContainerConfigBuilder.build(inputs(nonRootWithUser, image: ImageConfig.RunConfig(User: "65534")))
        #expect(spec.process?.user.uid == 65534)

        let privileged = Self.pod([["name": "a", "image": "i", "command": ["sh"], "securityContext": ["privileged": true]]],
                                  extraSpec: ["hostNetwork": true])
        let privilegedSpec = try ContainerConfigBuilder.build(inputs(privileged))
        #expect(privilegedSpec.process?.capabilities?.bounding?.contains("CAP_SYS_ADMIN") == true)
        #expect(privilegedSpec.linux?.maskedPaths?.isEmpty == true)
        #expect(!(privilegedSpec.linux?.namespaces ?? []).contains { $0.type == "network" || $0.type == "uts" })

        let noCommand = Self.pod([["name": "a", "image": "i"]])
        #expect(throws: ContainerConfigError.self) { try ContainerConfigBuilder.build(inputs(noCommand)) }
    }

    @Test("back-off: immediate first restart, then 10 s doubling to 5 min; reset after a long run")
    func backoff() {
        var backoff = Backoff()
        let start = Date(timeIntervalSince1970: 1_000_000)
        #expect(backoff.recordExit("c", ranFor: 1, at: start) == start)
        #expect(backoff.recordExit("c", ranFor: 1, at: start) == start.addingTimeInterval(10))
        #expect(backoff.recordExit("c", ranFor: 1, at: start) == start.addingTimeInterval(20))
        #expect(backoff.isBackingOff("c", at: start.addingTimeInterval(5)))
        for _ in 0..<10 { backoff.recordExit("c", ranFor: 1, at: start) }
        #expect(backoff.retryTime("c") == start.addingTimeInterval(300))
        #expect(backoff.recordExit("c", ranFor: 601, at: start) == start)
        var pulls = Backoff()
        #expect(pulls.recordFailure("img", at: start) == start.addingTimeInterval(10))
        #expect(pulls.recordFailure("img", at: start) == start.addingTimeInterval(20))
    }

    @Test("pod phase and conditions")
    func status() {
        let pod = Self.pod([["name": "a", "image": "i"]], initContainers: [["name": "init", "image": "i"]], restartPolicy: "Never")
        func build(_ initState: ContainerStateSnapshot, _ state: ContainerStateSnapshot, ready: Bool = false, previous: JSONValue? = nil) -> JSONValue {
            PodStatusBuilder(pod: pod, initContainers: [ContainerStatusSnapshot(name: "init", image: "i", state: initState)],
                             containers: [ContainerStatusSnapshot(name: "a", image: "i", state: state, ready: ready)],
                             podIPs: ["10.42.0.5"], hostIPs: ["10.0.0.1"], startTime: "2025-01-01T00:00:00Z", qos: .bestEffort,
                             sandboxReady: true, now: "2025-01-01T00:00:05Z").build(previous: previous)
        }
        let initializing = build(.running(startedAt: "t"), .waiting(reason: "PodInitializing", message: nil))
        #expect(initializing["phase"] == "Pending")
        let condition = { (status: JSONValue, type: String) in status["conditions"]?.arrayValue?.first { $0["type"]?.stringValue == type } }
        #expect(condition(initializing, "Initialized")?["status"] == "False")
        let done = ContainerStateSnapshot.terminated(exitCode: 0, signal: 0, reason: "Completed", message: nil, startedAt: "t",
                                                     finishedAt: "t", containerID: nil)
        let running = build(done, .running(startedAt: "t"), ready: true)
        #expect(running["phase"] == "Running")
        #expect(condition(running, "Ready")?["status"] == "True" && condition(running, "Initialized")?["status"] == "True")
        #expect(running["podIP"] == "10.42.0.5" && running["qosClass"] == "BestEffort")
        let failed = build(done, .terminated(exitCode: 1, signal: 0, reason: "Error", message: nil, startedAt: "t", finishedAt: "t", containerID: nil))
        #expect(failed["phase"] == "Failed")
        #expect(build(done, done)["phase"] == "Succeeded")
        let initFailed = build(.terminated(exitCode: 2, signal: 0, reason: "Error", message: nil, startedAt: "t", finishedAt: "t", containerID: nil),
                               .waiting(reason: "PodInitializing", message: nil))
        #expect(initFailed["phase"] == "Failed")
        // lastTransitionTime holds while the condition's status does.
        let again = PodStatusBuilder(pod: pod, initContainers: [ContainerStatusSnapshot(name: "init", image: "i", state: done)],
                                     containers: [ContainerStatusSnapshot(name: "a", image: "i", state: .running(startedAt: "t"), ready: true)],
                                     podIPs: ["10.42.0.5"], hostIPs: ["10.0.0.1"], startTime: "2025-01-01T00:00:00Z", qos: .bestEffort,
                                     sandboxReady: true, now: "2025-01-01T00:09:00Z").build(previous: running)
        #expect(condition(again, "Ready")?["lastTransitionTime"] == "2025-01-01T00:00:05Z")
        #expect(!PodStatusBuilder.differs(running, again))
        #expect(PodStatusBuilder.seconds("2025-01-01T00:00:05.123456789Z") == "2025-01-01T00:00:05Z")
    }

    @Test("machine info parsing")
    func machine() {
        #expect(MachineInfo.allowedCPUs("Name:\tx\nCpus_allowed_list:\t0-3,6\n") == 5)
        #expect(MachineInfo.memTotal("MemTotal:       16318460 kB\nMemFree: 1 kB") == Int64(16_318_460) * 1024)
        #expect(MachineInfo.kubernetesArchitecture("x86_64") == "amd64")
        #expect(MachineInfo.osImage("NAME=x\nPRETTY_NAME=\"Ubuntu 24.04 LTS\"\n") == "Ubuntu 24.04 LTS")
        let info = MachineInfo.read(dataDirectory: NSTemporaryDirectory())
        #expect(info.cpus >= 1 && info.memoryBytes > 0 && info.ephemeralStorageBytes > 0)
    }
}
