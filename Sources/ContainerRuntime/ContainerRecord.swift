import Foundation
import OCI

/// What the runtime remembers about a container, in `<root>/<id>/state.json`. A fresh skiff
/// process rebuilds the container's status from this, the exit file and `/proc`.
public struct ContainerRecord: Codable, Sendable, Equatable {
    public var id: String
    /// Absolute path of the bundle.
    public var bundle: String
    /// The init process on the host, and its start time in ticks (detects pid reuse).
    public var pid: Int32
    public var pidStartTime: UInt64?
    public var monitorPid: Int32
    /// The container's cgroup, relative to the cgroup roots.
    public var cgroupPath: String?
    /// Where the monitor writes the CRI-format log, if it logs.
    public var logPath: String?
    public var created: String
    public var annotations: [String: String]?
}

/// The exit the monitor recorded in `<root>/<id>/exit.json`.
public struct ContainerExit: Codable, Sendable, Equatable {
    public var pid: Int32?
    /// The exit code, or 128 + the signal for a killed process (shell convention).
    public var exitCode: Int32
    /// The signal that killed the process, 0 when it exited by itself.
    public var signal: Int32
    /// The cgroup's OOM killer killed a task of the container.
    public var oomKilled: Bool
    /// RFC 3339 with nanoseconds, UTC.
    public var finishedAt: String?

    public init(pid: Int32? = nil, exitCode: Int32, signal: Int32, oomKilled: Bool, finishedAt: String? = nil) {
        self.pid = pid
        self.exitCode = exitCode
        self.signal = signal
        self.oomKilled = oomKilled
        self.finishedAt = finishedAt
    }
}

/// A container as the runtime sees it now.
public struct ContainerInfo: Sendable, Equatable {
    public var record: ContainerRecord
    public var status: ContainerState.Status
    public var exit: ContainerExit?

    /// The runtime-spec `state` document.
    public var state: ContainerState {
        ContainerState(id: record.id, status: status, pid: status == .stopped ? 0 : record.pid,
                       bundle: record.bundle, annotations: record.annotations)
    }
}
