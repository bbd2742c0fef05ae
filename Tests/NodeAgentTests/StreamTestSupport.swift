import ContainerRuntime
import Foundation
import Logging
@testable import NodeAgent
import OCI
import PKI
import Testing

let streamTestsNeedRoot = "needs root (a real container through the runtime); the machines and CI run as root"

/// One busybox container run through the skiff runtime with a CRI log, in its own namespaces
/// (network included, loopback brought up as the pod sandbox would), and a stream backend that
/// resolves pod `web`, container `c`, to it.
final class StreamTestContainer: Sendable {
    let directory: String
    let runtime: Runtime
    let id: String
    let logPath: String
    let previousLogPath: String
    let cgroupParent: String

    /// Serves /tmp/www on 8080, logs a line to stdout and one to stderr, then a tick a second.
    static let webScript = """
        mkdir -p /tmp/www; echo 'hello from the pod' > /tmp/www/index.html; httpd -p 8080 -h /tmp/www
        echo first line; echo second line >&2; i=0
        while true; do i=$((i+1)); echo tick $i; sleep 1; done
        """

    static func start(script: String = webScript) throws -> StreamTestContainer {
        var template = Array((NSTemporaryDirectory() + "/skiff-stream-test-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw StreamTestError("mkdtemp failed") }
        let directory = String(cString: made)
        let suffix = String(UUID().uuidString.prefix(8)).lowercased()
        let container = StreamTestContainer(directory: directory, id: "stream-\(suffix)", cgroupParent: "skiff-test/streams-\(suffix)")
        do {
            try container.create(script: script)
        } catch {
            container.remove()
            throw error
        }
        return container
    }

    private init(directory: String, id: String, cgroupParent: String) {
        self.directory = directory
        self.runtime = Runtime(root: directory + "/state")
        self.id = id
        self.logPath = directory + "/\(id).log"
        self.previousLogPath = directory + "/\(id)-previous.log"
        self.cgroupParent = cgroupParent
    }

    private func create(script: String) throws {
        let bundle = directory + "/bundle"
        let rootfs = bundle + "/rootfs"
        for dir in ["bin", "proc", "sys", "dev", "etc", "tmp"] {
            try FileManager.default.createDirectory(atPath: rootfs + "/" + dir, withIntermediateDirectories: true)
        }
        try FileManager.default.copyItem(atPath: "/bin/busybox", toPath: rootfs + "/bin/busybox")
        for applet in ["sh", "cat", "echo", "sleep", "mkdir", "httpd", "ls", "printf", "true", "wc", "head", "stty", "tty", "nc"] {
            try FileManager.default.createSymbolicLink(atPath: rootfs + "/bin/" + applet, withDestinationPath: "busybox")
        }
        var spec = DefaultRuntimeSpec.make(args: ["sh", "-c", script], terminal: false, hostname: "web")
        spec.mounts?.append(.init(destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777"]))
        try JSONEncoder().encode(spec).write(to: URL(fileURLWithPath: bundle + "/config.json"))
        var options = CreateOptions()
        options.containerLog = logPath
        options.defaultCgroupParent = cgroupParent
        let record = try runtime.create(id: id, bundle: bundle, options: options)
        try runtime.start(id: id)
        let ip = Process()
        ip.executableURL = URL(fileURLWithPath: "/usr/bin/nsenter")
        ip.arguments = ["--net=/proc/\(record.pid)/ns/net", "ip", "link", "set", "lo", "up"]
        try ip.run()
        ip.waitUntilExit()
        guard ip.terminationStatus == 0 else { throw StreamTestError("could not bring up lo in the container") }
    }

    var networkNamespacePath: String? {
        guard let pid = try? runtime.inspect(id: id).record.pid else { return nil }
        return "/proc/\(pid)/ns/net"
    }

    /// Waits until the container has logged `tick n`.
    func waitForTick(_ n: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: logPath, encoding: .utf8), text.contains("tick \(n)\n") { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw StreamTestError("the container never logged tick \(n)")
    }

    func writePreviousLog(_ text: String) throws {
        try text.write(toFile: previousLogPath, atomically: true, encoding: .utf8)
    }

    var backend: any PodStreamBackend { StreamTestBackend(container: self) }

    func remove() {
        try? runtime.delete(id: id, force: true)
        for hierarchy in ["", "unified", "memory", "pids", "cpu,cpuacct", "cpuset", "devices", "freezer", "blkio"] {
            let base = hierarchy.isEmpty ? "/sys/fs/cgroup" : "/sys/fs/cgroup/\(hierarchy)"
            rmdir(base + "/" + cgroupParent)
            rmdir(base + "/skiff-test")
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

struct StreamTestBackend: PodStreamBackend {
    let container: StreamTestContainer

    var runtime: Runtime { container.runtime }

    func resolve(namespace: String, pod: String, container name: String?, previous: Bool) async throws -> StreamTarget {
        guard pod == "web", name == nil || name == "c" else {
            throw StreamTargetError(code: 404, message: "container \(name ?? "") of pod \(namespace)/\(pod) not found")
        }
        return StreamTarget(runtimeID: container.id, logPath: previous ? container.previousLogPath : container.logPath,
                            networkNamespacePath: container.networkNamespacePath)
    }

    func networkNamespace(namespace: String, pod: String) async throws -> String? {
        guard pod == "web" else { throw StreamTargetError(code: 404, message: "pod \(namespace)/\(pod) not found") }
        return container.networkNamespacePath
    }
}

struct StreamTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A streaming server on an ephemeral port with a fresh CA, and curl with a client certificate
/// from that CA (and one from a foreign CA) to talk to it.
struct StreamServerFixture {
    let container: StreamTestContainer
    let server: KubeletStreamServer
    let port: Int
    let files: String

    static func with(_ body: (StreamServerFixture) async throws -> Void) async throws {
        let container = try StreamTestContainer.start()
        defer { container.remove() }
        let ca = try CertificateAuthority.generate(namePrefix: "stream-test-ca")
        let foreign = try CertificateAuthority.generate(namePrefix: "foreign-ca")
        let serving = try ca.issue(commonName: "node", usage: .server, servingNames: ServingNames(dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"]))
        let client = try ca.issue(commonName: "apiserver", usage: .client)
        let stranger = try foreign.issue(commonName: "stranger", usage: .client)
        let files = container.directory + "/tls"
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
        try ca.identity.certificatePEM().write(toFile: files + "/ca.pem", atomically: true, encoding: .utf8)
        try client.certificatePEM().write(toFile: files + "/client.pem", atomically: true, encoding: .utf8)
        try client.privateKeyPEM().write(toFile: files + "/client-key.pem", atomically: true, encoding: .utf8)
        try stranger.certificatePEM().write(toFile: files + "/stranger.pem", atomically: true, encoding: .utf8)
        try stranger.privateKeyPEM().write(toFile: files + "/stranger-key.pem", atomically: true, encoding: .utf8)
        var logger = Logger(label: "skiff.test.streamserver")
        logger.logLevel = .warning
        let configuration = KubeletConfiguration(nodeName: "node", dataDirectory: container.directory, streamingAddress: "127.0.0.1",
                                                 streamingPort: 0, servingIdentity: serving, clientCAs: [ca.certificate])
        let server = KubeletStreamServer(configuration: configuration, backend: container.backend, logger: logger)
        let task = Task { try await server.run() }
        defer { task.cancel() }
        let port = try await server.listeningPort()
        try await body(StreamServerFixture(container: container, server: server, port: port, files: files))
    }

    /// `curl` against the server; returns the HTTP status, the body, and curl's exit status.
    func curl(_ path: String, identity: String = "client", timeout: Int = 20) throws -> (status: Int, body: String, exit: Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        let bodyPath = files + "/body-\(UUID().uuidString.prefix(8))"
        process.arguments = ["-sS", "--max-time", "\(timeout)", "--cacert", files + "/ca.pem",
                             "--cert", files + "/\(identity).pem", "--key", files + "/\(identity)-key.pem",
                             "-o", bodyPath, "-w", "%{http_code}", "https://127.0.0.1:\(port)\(path)"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let code = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let body = (try? String(contentsOfFile: bodyPath, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: bodyPath)
        return (Int(String(decoding: code, as: UTF8.self)) ?? 0, body, process.terminationStatus)
    }
}
