import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The whole product as a user meets it: `skiff up`, kubectl against the cluster, real pods
/// from the embedded registry, `skiff down`. One test, because every step builds on the
/// cluster the previous one left.
@Suite("skiff up, real pods through kubectl, skiff down", .serialized)
struct SkiffUpEndToEndTests {
    static let prerequisites = Tools.isRoot && Tools.skiff != nil && Tools.which("kubectl") != nil
        && Tools.which("curl") != nil
    static let skipReason: Comment =
        "needs root (containers, pod networks, cgroups), the built skiff binary, kubectl and curl"

    static let content = "hello from a ConfigMap volume"
    static let manifests = """
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: web-content
        data:
          index.html: "\(content)"
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
        spec:
          replicas: 1
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              terminationGracePeriodSeconds: 2
              containers:
              - name: hello
                image: hello:latest
                ports: [{containerPort: 8080}]
                readinessProbe:
                  httpGet: {path: /, port: 8080}
                  periodSeconds: 1
                volumeMounts:
                - {name: content, mountPath: /www/cm}
              volumes:
              - name: content
                configMap: {name: web-content}
        """
    static let oomPod = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: hog
        spec:
          restartPolicy: Never
          containers:
          - name: hog
            image: busybox:latest
            command: ["sh", "-c", "a=x; while true; do a=$a$a; done"]
            resources:
              limits: {memory: 32Mi}
        """

    @Test("up; a Deployment with a ConfigMap volume and a readiness probe; logs, exec, port-forward; replaced and restarted pods; OOMKilled; pods survive a server restart; down leaves nothing",
          .enabled(if: prerequisites, skipReason), .timeLimit(.minutes(20)))
    func lifecycle() async throws {
        let skiff = try #require(Tools.skiff), kubectl = try #require(Tools.which("kubectl"))
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-e2e-images-\(UUID().uuidString.prefix(8))").path
        defer { try? FileManager.default.removeItem(atPath: work) }
        var environment = ProcessInfo.processInfo.environment
        environment["SKIFF"] = skiff
        environment["OUT"] = work
        let images = try await Tools.run(Tools.repositoryRoot + "/Scripts/build-images", [], environment: environment)
        if !images.succeeded { try Test.cancel("Scripts/build-images could not build the test images: \(images.output)") }

        let cluster = try UpCluster(skiff: skiff, kubectl: kubectl, images: work)
        var podUIDs: [String] = []
        do {
            try await run(cluster, podUIDs: &podUIDs)
        } catch {
            // What the cluster said, read before `down --purge` deletes it.
            let log = cluster.serverLogTail(80)
            let events = (try? await cluster.kubectl(["get", "events", "-A", "--sort-by=.lastTimestamp"])) ?? ""
            let down = try? await cluster.down(purge: true)
            try? FileManager.default.removeItem(atPath: cluster.root)
            if "\(error)".contains("not implemented") || log.contains("not implemented") {
                try Test.cancel("this build's node agent or API client is still a stub (\(error))")
            }
            Issue.record("server log:\n\(log)\n\nevents:\n\(events)\n\ndown: \(down?.output ?? "")")
            throw error
        }
        try? FileManager.default.removeItem(atPath: cluster.root)
    }

    func run(_ cluster: UpCluster, podUIDs: inout [String]) async throws {
        // 1. A cluster from nothing.
        let up = try await cluster.up()
        guard up.succeeded else { throw CommandFailure(description: "skiff up failed: \(up.output)") }
        #expect(up.stdout.contains("✓"))
        let nodes = try await cluster.kubectl(["get", "nodes"])
        #expect(nodes.contains("Ready"))

        // 2. The app: a ConfigMap volume and a readiness probe.
        try await cluster.kubectl(["apply", "-f", "-"], stdin: Self.manifests)
        var pod = try await readyPod(cluster, label: "app=web", excluding: [])
        podUIDs.append(PodJSON.uid(pod))
        let name = PodJSON.name(pod)

        // 3. Logs, exec, port-forward.
        let logs = try await cluster.kubectl(["logs", name])
        #expect(logs.contains("hello: serving /www"))
        let served = try await cluster.kubectl(["exec", name, "--", "cat", "/www/cm/index.html"])
        #expect(served == Self.content)
        let forwarded = try await portForward(cluster, pod: name, path: "/cm/index.html")
        #expect(forwarded == Self.content)

        // 4. A deleted pod is replaced by a new one that becomes Ready.
        try await cluster.kubectl(["delete", "pod", name, "--wait=false"])
        pod = try await readyPod(cluster, label: "app=web", excluding: [name])
        podUIDs.append(PodJSON.uid(pod))
        let replacement = PodJSON.name(pod)
        #expect(replacement != name)

        // 5. A killed container process is restarted in place: restartCount 1.
        let uid = PodJSON.uid(pod)
        let hostPID = try #require(MachineTraces.hostPID(ofCommand: "httpd", inPod: uid), "no httpd process in pod \(uid)'s cgroup")
        kill(hostPID, SIGKILL)
        try await Tools.eventually("pod \(replacement) restarted once and Ready again") {
            let pod = try await cluster.json(["get", "pod", replacement])
            return (PodJSON.restartCount(pod) == 1 && PodJSON.isReady(pod), PodJSON.summary(pod))
        }

        // 6. Over its memory limit: OOMKilled.
        try await cluster.kubectl(["apply", "-f", "-"], stdin: Self.oomPod)
        try await Tools.eventually("pod hog terminated as OOMKilled") {
            let pod = try await cluster.json(["get", "pod", "hog"])
            return (PodJSON.terminationReason(pod) == "OOMKilled", PodJSON.summary(pod))
        }
        podUIDs.append(PodJSON.uid(try await cluster.json(["get", "pod", "hog"])))

        // 7. The server dies (no clean-up), `skiff up` brings it back: the pod was never touched.
        let before = try await cluster.json(["get", "pod", replacement])
        let serverPID = try #require(cluster.serverPID)
        kill(serverPID, SIGKILL)
        try await Tools.eventually("the killed server is gone", timeout: .seconds(30)) {
            (kill(serverPID, 0) != 0, "pid \(serverPID)")
        }
        let again = try await cluster.up()
        guard again.succeeded else { throw CommandFailure(description: "second skiff up failed: \(again.output)") }
        #expect(again.stdout.contains("again"))
        let noOp = try await cluster.up()
        #expect(noOp.succeeded && noOp.stdout.contains("already running"))
        try await Tools.eventually("pod \(replacement) Ready after the restart") {
            let pod = try await cluster.json(["get", "pod", replacement])
            return (PodJSON.isReady(pod), PodJSON.summary(pod))
        }
        let after = try await cluster.json(["get", "pod", replacement])
        #expect(PodJSON.containerID(after) == PodJSON.containerID(before))
        #expect(PodJSON.restartCount(after) == PodJSON.restartCount(before))
        let stillServed = try await cluster.kubectl(["exec", replacement, "--", "cat", "/www/cm/index.html"])
        #expect(stillServed == Self.content)

        // 8. Down: nothing of the cluster is left on the machine.
        let down = try await cluster.down(purge: true)
        guard down.succeeded else { throw CommandFailure(description: "skiff down failed: \(down.output)") }
        let leftovers = try await MachineTraces(cluster: cluster, podUIDs: podUIDs).leftovers()
        #expect(leftovers.isEmpty, "left behind:\n\(leftovers.joined(separator: "\n"))")
        #expect(!FileManager.default.fileExists(atPath: cluster.dataDirectory))
        let kubeconfig = (try? String(contentsOfFile: cluster.kubeconfig, encoding: .utf8)) ?? ""
        #expect(!kubeconfig.contains(cluster.context))
    }

    /// Waits for a Ready pod matching `label` whose name is not in `excluding`.
    func readyPod(_ cluster: UpCluster, label: String, excluding: Set<String>) async throws -> [String: Any] {
        var found: [String: Any] = [:]
        try await Tools.eventually("a Ready pod with \(label)", timeout: .seconds(180)) {
            let pods = PodJSON.items(try await cluster.json(["get", "pods", "-l", label]))
            let candidates = pods.filter { !excluding.contains(PodJSON.name($0)) && !PodJSON.isDeleting($0) }
            if let ready = candidates.first(where: PodJSON.isReady) {
                found = ready
                return (true, "")
            }
            return (false, candidates.map(PodJSON.summary).joined(separator: "; "))
        }
        return found
    }

    /// `kubectl port-forward` to the pod's port 8080 and a GET of `path` through it.
    func portForward(_ cluster: UpCluster, pod: String, path: String) async throws -> String {
        let local = try Tools.freePorts(1)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: cluster.kubectl)
        process.arguments = ["--context", cluster.context, "port-forward", "pod/\(pod)", "\(local):8080"]
        process.environment = cluster.environment
        let output = cluster.root + "/port-forward.out"
        FileManager.default.createFile(atPath: output, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer {
            process.terminate()
            process.waitUntilExit()
        }
        try await Tools.eventually("kubectl port-forward listening", timeout: .seconds(30)) {
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            return (text.contains("Forwarding from") || !process.isRunning, text)
        }
        let curl = try #require(Tools.which("curl"))
        let result = try await Tools.run(curl, ["-sS", "--max-time", "10", "http://127.0.0.1:\(local)\(path)"])
        guard result.succeeded else {
            let log = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            throw CommandFailure(description: "GET through port-forward failed: \(result.output); kubectl: \(log)")
        }
        return result.stdout
    }
}
