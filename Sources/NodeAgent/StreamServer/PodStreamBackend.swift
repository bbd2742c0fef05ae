import ContainerRuntime

/// A container the streaming server acts on, resolved by the kubelet from the pod and
/// container names of the request.
public struct StreamTarget: Sendable, Hashable {
    /// The container's id in the runtime (for `Runtime.exec`).
    public var runtimeID: String
    /// Its CRI-format log file (current instance, or the previous one when asked).
    public var logPath: String
    /// The pod's network namespace (port-forward connects inside it); nil with hostNetwork.
    public var networkNamespacePath: String?
    public var tty: Bool
    public var stdin: Bool

    public init(runtimeID: String, logPath: String, networkNamespacePath: String?, tty: Bool = false, stdin: Bool = false) {
        self.runtimeID = runtimeID
        self.logPath = logPath
        self.networkNamespacePath = networkNamespacePath
        self.tty = tty
        self.stdin = stdin
    }
}

/// Why a stream request cannot be served: becomes the HTTP status and Status message.
public struct StreamTargetError: Error, Sendable {
    public var code: Int
    public var message: String
    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }
}

/// What the kubelet's streaming server (logs, exec, attach, port-forward) needs from the
/// kubelet: which runtime container a request means.
public protocol PodStreamBackend: Sendable {
    /// `container` nil means the pod's only container (or, as Kubernetes does, the one named
    /// by the `kubectl.kubernetes.io/default-container` annotation, else the first).
    func resolve(namespace: String, pod: String, container: String?, previous: Bool) async throws -> StreamTarget
    /// The pod's network namespace for port-forward (nil = host network).
    func networkNamespace(namespace: String, pod: String) async throws -> String?
    /// The runtime the containers run under.
    var runtime: Runtime { get }
}
