import ContainerRuntime
import Foundation
import NodeAgent
import OCI

/// One busybox container run through the skiff runtime with a CRI log, in its own namespaces
/// (network included, loopback brought up as the pod sandbox would), and a stream backend that
/// resolves pod `web`, container `c`, to it.
public final class StreamTestContainer: Sendable {
    public let directory: String
    public let runtime: Runtime
    public let id: String
    public let logPath: String
    public let previousLogPath: String
    public let cgroupParent: String

    /// Serves /tmp/www on 8080, logs a line to stdout and one to stderr, then a tick a second.
    public static let webScript = """
        mkdir -p /tmp/www; echo 'hello from the pod' > /tmp/www/index.html; httpd -p 8080 -h /tmp/www
        echo first line; echo second line >&2; i=0
        while true; do i=$((i+1)); echo tick $i; sleep 1; done
        """

    public static func start(script: String = webScript) throws -> StreamTestContainer {
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

    public var networkNamespacePath: String? {
        guard let pid = try? runtime.inspect(id: id).record.pid else { return nil }
        return "/proc/\(pid)/ns/net"
    }

    /// Waits until the container has logged `tick n`.
    public func waitForTick(_ n: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOfFile: logPath, encoding: .utf8), text.contains("tick \(n)\n") { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw StreamTestError("the container never logged tick \(n)")
    }

    /// Writes the previous instance's CRI log as given.
    public func writePreviousLog(_ text: String) throws {
        try text.write(toFile: previousLogPath, atomically: true, encoding: .utf8)
    }

    /// Writes the previous instance's CRI log, one stdout line per entry.
    public func writePreviousLog(_ lines: [String]) throws {
        try writePreviousLog(lines.map { "2024-01-01T00:00:00.000000001Z stdout F \($0)\n" }.joined())
    }

    public var backend: any PodStreamBackend { StreamTestBackend(container: self) }

    public func remove() {
        try? runtime.delete(id: id, force: true)
        // Every hierarchy (v2, or each v1 controller): the container's cgroup parent, and the
        // shared test parent once no other test uses it.
        let hierarchies = ((try? FileManager.default.contentsOfDirectory(atPath: "/sys/fs/cgroup")) ?? []).map { "/sys/fs/cgroup/" + $0 }
        for base in ["/sys/fs/cgroup"] + hierarchies {
            rmdir(base + "/" + cgroupParent)
            rmdir(base + "/skiff-test")
        }
        try? FileManager.default.removeItem(atPath: directory)
    }
}

public struct StreamTestBackend: PodStreamBackend {
    let container: StreamTestContainer

    public var runtime: Runtime { container.runtime }

    public func resolve(namespace: String, pod: String, container name: String?, previous: Bool) async throws -> StreamTarget {
        guard pod == "web", name == nil || name == "c" else {
            throw StreamTargetError(code: 404, message: "container \(name ?? "") of pod \(namespace)/\(pod) not found")
        }
        return StreamTarget(runtimeID: container.id, logPath: previous ? container.previousLogPath : container.logPath,
                            networkNamespacePath: container.networkNamespacePath)
    }

    public func networkNamespace(namespace: String, pod: String) async throws -> String? {
        guard pod == "web" else { throw StreamTargetError(code: 404, message: "pod \(namespace)/\(pod) not found") }
        return container.networkNamespacePath
    }
}

public struct StreamTestError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
