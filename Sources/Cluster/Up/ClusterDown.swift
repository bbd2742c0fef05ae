import Foundation
import Logging
import NodeAgent
import PKI

#if canImport(Glibc)
import Glibc
#endif

/// `skiff down`: stops the cluster's server (SIGTERM, then SIGKILL after a grace period),
/// then stops the pods the node agent left running — containers outlive the server by
/// design — and removes every mount, network namespace, cgroup, nftables table, bridge and
/// route of the node. With `purge` the data directory and the kubeconfig context go too.
public struct ClusterDown: Sendable {
    public var settings: ClusterSettings
    public var purge: Bool
    public var kubeconfigPath: String?
    public var stopTimeout: Duration = .seconds(30)
    let progress: StepProgress
    let logger: Logger

    public init(settings: ClusterSettings, purge: Bool = false, kubeconfigPath: String? = nil,
                progress: StepProgress = StepProgress(), logger: Logger = Logger(label: "skiff.down")) {
        self.settings = settings
        self.purge = purge
        self.kubeconfigPath = kubeconfigPath
        self.progress = progress
        self.logger = logger
    }

    public func run() async throws {
        let layout = settings.layout
        if let pid = PIDFile(path: layout.pidFile).runningProcess() {
            try await progress.step("Stopping the server (pid \(pid))") {
                try await Self.stop(pid: pid, timeout: stopTimeout)
            }
        } else {
            progress.line(" - The server of cluster \"\(settings.clusterName)\" is not running")
        }
        try await progress.step("Stopping the pods and cleaning up node \(settings.nodeName)") {
            let configuration = AgentSettings(options: settings.serverOptions, layout: layout).kubeletConfiguration()
            try await Kubelet.cleanUpNode(configuration: configuration, logger: logger)
            let left = CgroupRootRemoval.remove(cgroupRoot: settings.cgroupRoot)
            if !left.isEmpty {
                logger.warning("cgroups still in use after the pods stopped", metadata: ["cgroups": "\(left)"])
            }
        }
        if purge {
            try await progress.step("Deleting \(settings.dataDirectory) and the kubeconfig context \(settings.contextName)") {
                if let path = try kubeconfigPath ?? (try? KubeconfigLocation.resolve()) {
                    try Kubeconfig.remove(named: settings.contextName, from: path)
                }
                do {
                    if FileManager.default.fileExists(atPath: layout.root) {
                        try FileManager.default.removeItem(atPath: layout.root)
                    }
                } catch {
                    throw ClusterError.startup("cannot delete \(layout.root): \(error.localizedDescription)")
                }
            }
        }
        progress.line(purge ? "Cluster \"\(settings.clusterName)\" is deleted." : "Cluster \"\(settings.clusterName)\" is stopped; 'skiff up --name \(settings.clusterName)' brings it back with its objects.")
    }

    /// SIGTERM, then wait for the process to go; SIGKILL when it has not after `timeout`.
    static func stop(pid: pid_t, timeout: Duration) async throws {
        guard kill(pid, SIGTERM) == 0 || errno == ESRCH else {
            throw ClusterError.startup("cannot signal the server (pid \(pid)): \(String(cString: strerror(errno)))")
        }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if !isAlive(pid) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(pid, SIGKILL)
        while isAlive(pid) { try await Task.sleep(for: .milliseconds(50)) }
    }

    /// Alive and not a zombie (a server started by this very process is reaped here).
    static func isAlive(_ pid: pid_t) -> Bool {
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { return false }
        guard kill(pid, 0) == 0 else { return false }
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        // The state follows the parenthesised command name: "Z" is a zombie.
        if let close = stat.lastIndex(of: ")") {
            let state = stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).first
            return state != "Z"
        }
        return true
    }
}
