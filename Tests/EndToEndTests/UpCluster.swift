import Foundation
import Testing

/// A cluster of its own for one test run, driven only through the real commands: `skiff up`,
/// `skiff down` and kubectl. Every name that lands on the machine (cluster, bridge, cgroup,
/// pod CIDR, ports, data directory) is unique to the run, so a test running beside it on the
/// same machine does not collide with it.
struct UpCluster: Sendable {
    let skiff: String
    let kubectl: String
    let name: String
    let root: String
    let base: Int
    let bridge: String
    let cgroupRoot: String
    let clusterCIDR: String
    let images: String

    var dataDirectory: String { root + "/data" }
    var kubeconfig: String { root + "/kubeconfig" }
    var serverLog: String { dataDirectory + "/server.log" }
    var context: String { "skiff-\(name)" }

    init(skiff: String, kubectl: String, images: String) throws {
        let suffix = String(UUID().uuidString.lowercased().filter(\.isHexDigit).prefix(6))
        self.skiff = skiff
        self.kubectl = kubectl
        self.images = images
        name = "e2e-\(suffix)"
        root = FileManager.default.temporaryDirectory.appendingPathComponent("skiff-e2e-\(suffix)").path
        base = try Tools.freePorts(5)
        bridge = "ske2e\(suffix.prefix(5))"
        cgroupRoot = "skiff-e2e-\(suffix)"
        clusterCIDR = "10.\(Int.random(in: 100...199)).0.0/16"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    }

    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["KUBECONFIG"] = kubeconfig
        environment["HOME"] = root
        return environment
    }

    /// `skiff up` with this run's names and ports (remembered after the first run).
    func up() async throws -> CommandResult {
        try await Tools.run(skiff, [
            "up", "--name", name, "--data-dir", dataDirectory, "--api-port", "\(base)",
            "--registry-port", "\(base + 1)", "--store-port", "\(base + 2)", "--kubelet-port", "\(base + 4)",
            "--bridge-name", bridge, "--cgroup-root", cgroupRoot, "--cluster-cidr", clusterCIDR,
            "--images", images, "--kubeconfig", kubeconfig, "--timeout", "180",
        ], environment: environment, timeout: .seconds(400))
    }

    func down(purge: Bool) async throws -> CommandResult {
        try await Tools.run(
            skiff, ["down", "--name", name, "--data-dir", dataDirectory, "--kubeconfig", kubeconfig] + (purge ? ["--purge"] : []),
            environment: environment, timeout: .seconds(180))
    }

    /// kubectl against this cluster; throws with its output when it fails.
    @discardableResult
    func kubectl(_ arguments: [String], stdin: String? = nil, timeout: Duration = .seconds(120)) async throws -> String {
        let result = try await Tools.run(
            kubectl, ["--context", context] + arguments, stdin: stdin, environment: environment, timeout: timeout)
        guard result.succeeded else {
            throw CommandFailure(description: "kubectl \(arguments.joined(separator: " ")) failed (\(result.status)): \(result.output)")
        }
        return result.stdout
    }

    /// An object as JSON.
    func json(_ arguments: [String]) async throws -> [String: Any] {
        let text = try await kubectl(arguments + ["-o", "json"])
        guard let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            throw CommandFailure(description: "kubectl \(arguments) did not print a JSON object: \(text)")
        }
        return object
    }

    /// The server's pid from its pid file.
    var serverPID: Int32? {
        (try? String(contentsOfFile: dataDirectory + "/server.pid", encoding: .utf8))
            .flatMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    func serverLogTail(_ lines: Int = 40) -> String {
        let text = (try? String(contentsOfFile: serverLog, encoding: .utf8)) ?? "(no server log)"
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}

/// Reading pods printed by `kubectl get -o json`.
enum PodJSON {
    static func items(_ list: [String: Any]) -> [[String: Any]] { list["items"] as? [[String: Any]] ?? [] }
    static func name(_ pod: [String: Any]) -> String { (pod["metadata"] as? [String: Any])?["name"] as? String ?? "" }
    static func uid(_ pod: [String: Any]) -> String { (pod["metadata"] as? [String: Any])?["uid"] as? String ?? "" }
    static func isDeleting(_ pod: [String: Any]) -> Bool { (pod["metadata"] as? [String: Any])?["deletionTimestamp"] != nil }
    static func status(_ pod: [String: Any]) -> [String: Any] { pod["status"] as? [String: Any] ?? [:] }
    static func phase(_ pod: [String: Any]) -> String { status(pod)["phase"] as? String ?? "" }
    static func isReady(_ pod: [String: Any]) -> Bool {
        let conditions = status(pod)["conditions"] as? [[String: Any]] ?? []
        return conditions.contains { $0["type"] as? String == "Ready" && $0["status"] as? String == "True" }
    }
    static func container(_ pod: [String: Any]) -> [String: Any] {
        (status(pod)["containerStatuses"] as? [[String: Any]])?.first ?? [:]
    }
    static func containerID(_ pod: [String: Any]) -> String { container(pod)["containerID"] as? String ?? "" }
    static func restartCount(_ pod: [String: Any]) -> Int { container(pod)["restartCount"] as? Int ?? -1 }
    static func terminationReason(_ pod: [String: Any]) -> String? {
        let container = container(pod)
        for key in ["state", "lastState"] {
            if let reason = ((container[key] as? [String: Any])?["terminated"] as? [String: Any])?["reason"] as? String {
                return reason
            }
        }
        return nil
    }
    static func summary(_ pod: [String: Any]) -> String {
        "\(name(pod)) phase=\(phase(pod)) ready=\(isReady(pod)) restarts=\(restartCount(pod)) container=\(container(pod))"
    }
}
