import APIModel
import APIServer
import ClusterClient
import ClusterTestSupport
import ContainerRuntime
import Foundation
import Logging
import NodeAgent
import OCI
import PKI
import ServiceLifecycle
import StreamTestSupport
import Testing

/// Real kubectl (1.27, 1.30, 1.33) → apiserver → kubelet streaming server → a real busybox
/// container: `logs` (tail, timestamps, previous, follow), `exec` (exit codes, stdin, stderr)
/// and `port-forward`. The apiserver runs in process with a kubelet client certificate; the
/// node and pod exist as API objects pointing at the in-process streaming server.
@Suite(.serialized)
struct KubectlStreamTests {
    static let enabled = getuid() == 0 && KubectlVersion.missing.isEmpty

    @Test(.enabled(if: enabled, "needs root (a real container) and kubectl.1.27, 1.30, 1.33 beside `kubectl`"))
    func logsExecAndPortForwardThroughTheAPIServer() async throws {
        try await StreamCluster.with { cluster in
            for version in KubectlVersion.all {
                let kubectl = try StreamKubectl(version: version, cluster: cluster)
                try await checkLogs(kubectl, cluster: cluster)
                try await checkExec(kubectl)
                try await checkPortForward(kubectl)
            }
        }
    }

    private func checkLogs(_ kubectl: StreamKubectl, cluster: StreamCluster) async throws {
        let all = try await kubectl.run(["logs", "web"])
        #expect(all.succeeded, "\(kubectl.version): \(all)")
        // stdout and stderr are logged through separate pipes: their relative order may vary.
        let lines = all.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("first line") && lines.contains("second line") && lines.contains("tick 2"),
                "\(kubectl.version): \(all.stdout)")

        let tail = try await kubectl.run(["logs", "web", "--tail=1"])
        let tailLines = tail.stdout.split(separator: "\n")
        #expect(tail.succeeded && tailLines.count == 1 && tailLines.first?.hasPrefix("tick ") == true, "\(kubectl.version): \(tail)")

        let stamped = try await kubectl.run(["logs", "web", "--tail=2", "--timestamps"])
        let stampedLines = stamped.stdout.split(separator: "\n")
        #expect(stampedLines.count == 2, "\(kubectl.version): \(stamped)")
        for line in stampedLines {
            let parts = line.split(separator: " ", maxSplits: 1)
            #expect(parts.count == 2 && parts[0].hasSuffix("Z") && parts[0].contains("T") && !parts[1].isEmpty,
                    "\(kubectl.version): \(line)")
        }

        let previous = try await kubectl.run(["logs", "web", "--previous"])
        #expect(previous.succeeded && previous.stdout == "from the previous instance\n", "\(kubectl.version): \(previous)")

        // Follow: lines logged after the command started keep arriving.
        let before = Self.lastTick(all.stdout)
        let follow = try kubectl.start(["logs", "-f", "web", "--tail=1"])
        let sawNewLines = await follow.waitForOutput(timeout: .seconds(20)) { Self.lastTick($0) >= before + 3 }
        let followed = await follow.stop()
        #expect(sawNewLines, "\(kubectl.version): logs -f did not stream new lines: \(followed)")

        let missing = try await kubectl.run(["logs", "web", "-c", "nope"])
        #expect(!missing.succeeded && missing.stderr.contains("nope"), "\(kubectl.version): \(missing)")
    }

    private func checkExec(_ kubectl: StreamKubectl) async throws {
        let exit3 = try await kubectl.run(["exec", "web", "--", "sh", "-c", "echo hi; exit 3"])
        #expect(exit3.status == 3 && exit3.stdout == "hi\n", "\(kubectl.version): \(exit3)")
        #expect(exit3.stderr.contains("command terminated with exit code 3"), "\(kubectl.version): \(exit3)")

        let streams = try await kubectl.run(["exec", "web", "--", "sh", "-c", "echo out; echo err >&2"])
        #expect(streams.succeeded && streams.stdout == "out\n" && streams.stderr.contains("err"), "\(kubectl.version): \(streams)")

        let echo = try await kubectl.run(["exec", "-i", "web", "--", "sh", "-c", "cat; echo done"], stdin: "hello stdin\nsecond\n")
        #expect(echo.succeeded && echo.stdout == "hello stdin\nsecond\ndone\n", "\(kubectl.version): \(echo)")

        let missing = try await kubectl.run(["exec", "web", "--", "/no/such/binary"])
        #expect(!missing.succeeded, "\(kubectl.version): \(missing)")

        // A terminal: `script` gives kubectl one, the process gets a pty of the container's.
        let command = "\(kubectl.executable) --kubeconfig \(kubectl.kubeconfig) exec -ti web -- sh -c 'tty; echo tty-ok'"
        let tty = try await ChildProcess.run("/usr/bin/script", ["-qec", command, "/dev/null"], environment: kubectl.environment,
                                             outputDirectory: kubectl.workDirectory, timeout: .seconds(60))
        #expect(tty.succeeded && tty.stdout.contains("/dev/pts/") && tty.stdout.contains("tty-ok"), "\(kubectl.version): \(tty)")

        // attach: the container's output as it is logged.
        let before = Self.lastTick(try await kubectl.run(["logs", "web", "--tail=1"]).stdout)
        let attach = try kubectl.start(["attach", "web"])
        let attached = await attach.waitForOutput(timeout: .seconds(20)) { Self.lastTick($0) >= before + 2 }
        let attachResult = await attach.stop()
        #expect(attached, "\(kubectl.version): attach streamed no new output: \(attachResult)")
    }

    private func checkPortForward(_ kubectl: StreamKubectl) async throws {
        let forward = try kubectl.start(["port-forward", "pod/web", ":8080"])
        var localPort: Int?
        _ = await forward.waitForOutput(timeout: .seconds(30)) { output in
            localPort = Self.forwardedPort(output)
            return localPort != nil
        }
        guard let localPort else {
            let result = await forward.stop()
            Issue.record("\(kubectl.version): port-forward did not start: \(result)")
            return
        }
        for attempt in 1...3 {
            let curl = try await ChildProcess.run("/usr/bin/curl", ["-sS", "--max-time", "20", "http://127.0.0.1:\(localPort)/index.html"],
                                                  environment: ProcessInfo.processInfo.environment, outputDirectory: kubectl.workDirectory,
                                                  timeout: .seconds(30))
            #expect(curl.succeeded && curl.stdout == "hello from the pod\n", "\(kubectl.version) request \(attempt): \(curl)")
        }
        let result = await forward.stop()
        #expect(!result.stderr.contains("error"), "\(kubectl.version): \(result)")
    }

    static func lastTick(_ text: String) -> Int {
        text.split(separator: "\n").compactMap { line in
            line.hasPrefix("tick ") ? Int(line.dropFirst(5)) : nil
        }.last ?? 0
    }

    /// `Forwarding from 127.0.0.1:40123 -> 8080`
    static func forwardedPort(_ output: String) -> Int? {
        for line in output.split(separator: "\n") where line.hasPrefix("Forwarding from 127.0.0.1:") {
            let rest = line.dropFirst("Forwarding from 127.0.0.1:".count)
            if let port = Int(rest.prefix { $0.isNumber }) { return port }
        }
        return nil
    }
}

/// kubectl of one version pointed at the stream cluster, with its own HOME.
struct StreamKubectl {
    let version: KubectlVersion
    let executable: String
    let kubeconfig: String
    let workDirectory: URL

    init(version: KubectlVersion, cluster: StreamCluster) throws {
        guard let executable = version.path else { throw HarnessError("\(version.name) not found") }
        self.version = version
        self.executable = executable
        kubeconfig = cluster.kubeconfig
        workDirectory = URL(fileURLWithPath: cluster.directory).appendingPathComponent("kubectl-\(version.minor)")
        try FileManager.default.createDirectory(at: workDirectory.appendingPathComponent("home"), withIntermediateDirectories: true)
    }

    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = workDirectory.appendingPathComponent("home").path
        environment["KUBECACHEDIR"] = workDirectory.appendingPathComponent("cache").path
        environment["KUBECONFIG"] = kubeconfig
        return environment
    }

    func run(_ arguments: [String], stdin: String? = nil) async throws -> CommandResult {
        try await ChildProcess.run(executable, ["--kubeconfig", kubeconfig] + arguments, environment: environment, stdin: stdin,
                                   outputDirectory: workDirectory, timeout: .seconds(60))
    }

    func start(_ arguments: [String]) throws -> ChildProcess.Running {
        try ChildProcess.start(executable, ["--kubeconfig", kubeconfig] + arguments, environment: environment,
                               outputDirectory: workDirectory)
    }
}

/// A test cluster, a second apiserver on its store that may reach kubelets, a streaming server
/// backed by one real busybox container, and the Node and Pod objects leading to it.
struct StreamCluster: Sendable {
    let directory: String
    let kubeconfig: String

    static func with(_ body: @Sendable (StreamCluster) async throws -> Void) async throws {
        try await withTestCluster { cluster in
            var logger = Logger(label: "skiff.test.streams")
            logger.logLevel = .warning
            let container = try StreamTestContainer.start(script: StreamTestContainer.webScript)
            defer { container.remove() }
            try container.writePreviousLog(["from the previous instance"])
            try await container.waitForTick(2)

            let ca = cluster.pki.ca
            let serving = try ca.issue(commonName: "stream-node", usage: .server,
                                       servingNames: ServingNames(dnsNames: [], ipAddresses: ["127.0.0.1"]))
            let kubeletClient = try ca.issue(commonName: "kube-apiserver-kubelet-client", organizations: ["system:masters"], usage: .client)
            let kubeletConfiguration = KubeletConfiguration(
                nodeName: "stream-node", dataDirectory: container.directory, streamingAddress: "127.0.0.1", streamingPort: 0,
                servingIdentity: serving, clientCAs: [ca.certificate])
            let streamServer = KubeletStreamServer(configuration: kubeletConfiguration, backend: container.backend, logger: logger)
            let streamTask = Task { try await streamServer.run() }
            defer { streamTask.cancel() }
            let kubeletPort = try await streamServer.listeningPort()

            var configuration = APIServerConfiguration(host: "127.0.0.1", port: 0)
            configuration.tls = try TLSConfigurations.server(identity: cluster.pki.apiServer, trustRoots: [ca.certificate],
                                                             clientCertificates: .optional)
            configuration.clientCA = [ca.certificate]
            configuration.kubeletClientIdentity = kubeletClient
            configuration.kubeletTrustRoots = [ca.certificate]
            let apiServer = APIServer(configuration: configuration, store: cluster.store, logger: logger)
            let group = ServiceGroup(configuration: .init(services: [apiServer], logger: logger))
            let apiTask = Task { try await group.run() }
            defer { Task { await group.triggerGracefulShutdown() }; apiTask.cancel() }
            let apiPort = try await apiServer.listeningPort()

            let kubeconfig = cluster.directory + "/streams.kubeconfig"
            try Kubeconfig.write(try cluster.pki.adminKubeconfig(cluster: "streams", server: "https://127.0.0.1:\(apiPort)"), to: kubeconfig)
            try await cluster.storePut(.nodes, name: "stream-node", object: StreamObjects.node(port: kubeletPort))
            try await cluster.storePut(.pods, namespace: "default", name: "web", object: StreamObjects.pod())
            try await body(StreamCluster(directory: cluster.directory, kubeconfig: kubeconfig))
            await group.triggerGracefulShutdown()
            _ = await apiTask.result
        }
    }
}

enum StreamObjects {
    static func node(port: Int) throws -> JSONValue {
        try JSONValue(json: """
        {"apiVersion":"v1","kind":"Node","metadata":{"name":"stream-node","uid":"\(UUID().uuidString.lowercased())",
         "creationTimestamp":"2024-01-01T00:00:00Z"},
         "status":{"addresses":[{"type":"InternalIP","address":"127.0.0.1"},{"type":"Hostname","address":"stream-node"}],
                   "daemonEndpoints":{"kubeletEndpoint":{"Port":\(port)}}}}
        """)
    }

    static func pod() throws -> JSONValue {
        try JSONValue(json: """
        {"apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default","uid":"\(UUID().uuidString.lowercased())",
         "creationTimestamp":"2024-01-01T00:00:00Z"},
         "spec":{"nodeName":"stream-node","containers":[{"name":"c","image":"busybox"}]},
         "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}]}}
        """)
    }
}

