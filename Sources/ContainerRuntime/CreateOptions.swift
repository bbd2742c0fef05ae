/// How to create a container beyond what config.json says: where its root comes from, where
/// its output goes.
public struct CreateOptions: Sendable {
    /// Mount an overlay of image snapshots as the root instead of the bundle's `root.path`.
    public var overlay: OverlayRootfs?
    /// Log stdout/stderr here in the CRI format; `nil`: the container inherits the caller's
    /// stdio (as `runc run` in the foreground does).
    public var containerLog: String?
    /// With `process.terminal`: a unix socket to send the pty master to (runc's --console-socket).
    /// Without it, the monitor owns the master and logs the terminal's output.
    public var consoleSocket: String?
    /// Write the init's host pid here.
    public var pidFile: String?
    /// Lines longer than this are logged as partial (`P`) records.
    public var logLineMax: Int = 16 * 1024
    /// Default `linux.cgroupsPath` when config.json has none; `nil`: `skiff/<id>`.
    public var defaultCgroupParent: String?
    /// `run` only: pass SIGINT, SIGTERM, SIGHUP, … received by this process on to the
    /// container (a foreground CLI's behaviour; it takes those signals over process-wide).
    public var forwardSignals = false

    public init(overlay: OverlayRootfs? = nil, containerLog: String? = nil, consoleSocket: String? = nil,
                pidFile: String? = nil) {
        self.overlay = overlay
        self.containerLog = containerLog
        self.consoleSocket = consoleSocket
        self.pidFile = pidFile
    }
}
