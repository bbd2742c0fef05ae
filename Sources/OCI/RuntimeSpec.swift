/// The OCI runtime-spec `config.json` (runtime-spec v1.2): the contract between whoever
/// prepares a container (the node agent) and the runtime that starts it. runc, crun and
/// skiff's runtime all take this document, so one bundle can run under any of them.
public struct RuntimeSpec: Codable, Sendable, Equatable {
    /// The runtime-spec version the bundle complies with.
    public var ociVersion: String
    /// The container process. Required by `start`.
    public var process: Process?
    /// The container's root filesystem.
    public var root: Root?
    /// The container's hostname as seen by processes inside it (needs a UTS namespace).
    public var hostname: String?
    public var domainname: String?
    /// Additional mounts beyond `root`, performed in order.
    public var mounts: [Mount]?
    public var hooks: Hooks?
    public var annotations: [String: String]?
    /// Linux-specific configuration.
    public var linux: Linux?

    public init(ociVersion: String = "1.2.0", process: Process? = nil, root: Root? = nil, hostname: String? = nil,
                mounts: [Mount]? = nil, annotations: [String: String]? = nil, linux: Linux? = nil) {
        self.ociVersion = ociVersion
        self.process = process
        self.root = root
        self.hostname = hostname
        self.mounts = mounts
        self.annotations = annotations
        self.linux = linux
    }

    public struct Root: Codable, Sendable, Equatable {
        /// Path to the root filesystem, absolute or relative to the bundle.
        public var path: String
        /// Whether the root filesystem is mounted read-only.
        public var readonly: Bool?
        public init(path: String, readonly: Bool? = nil) { self.path = path; self.readonly = readonly }
    }

    public struct Mount: Codable, Sendable, Equatable {
        /// Absolute path inside the container.
        public var destination: String
        /// Filesystem type (`proc`, `tmpfs`, `bind`, …); `bind` mounts may leave it unset.
        public var type: String?
        /// Device name, file or directory; for bind mounts the host path.
        public var source: String?
        /// fstab-style options (`ro`, `nosuid`, `rbind`, `rprivate`, `mode=755`, …).
        public var options: [String]?
        public init(destination: String, type: String? = nil, source: String? = nil, options: [String]? = nil) {
            self.destination = destination
            self.type = type
            self.source = source
            self.options = options
        }
    }

    public struct Process: Codable, Sendable, Equatable {
        /// Whether a pseudo-terminal is attached to the process.
        public var terminal: Bool?
        public var consoleSize: ConsoleSize?
        public var user: User
        /// The program and its arguments; `args[0]` is resolved in the container's PATH.
        public var args: [String]?
        /// `NAME=value` entries.
        public var env: [String]?
        /// Working directory, absolute inside the container.
        public var cwd: String
        public var capabilities: Capabilities?
        public var rlimits: [Rlimit]?
        /// Sets `PR_SET_NO_NEW_PRIVS`: execve can never grant more privileges.
        public var noNewPrivileges: Bool?
        public var apparmorProfile: String?
        /// Written to `/proc/self/oom_score_adj`.
        public var oomScoreAdj: Int?
        public var selinuxLabel: String?

        public init(terminal: Bool? = nil, user: User = User(uid: 0, gid: 0), args: [String]?, env: [String]? = nil,
                    cwd: String = "/", capabilities: Capabilities? = nil, rlimits: [Rlimit]? = nil,
                    noNewPrivileges: Bool? = nil, oomScoreAdj: Int? = nil) {
            self.terminal = terminal
            self.user = user
            self.args = args
            self.env = env
            self.cwd = cwd
            self.capabilities = capabilities
            self.rlimits = rlimits
            self.noNewPrivileges = noNewPrivileges
            self.oomScoreAdj = oomScoreAdj
        }
    }

    public struct ConsoleSize: Codable, Sendable, Equatable {
        public var height: UInt32
        public var width: UInt32
        public init(height: UInt32, width: UInt32) { self.height = height; self.width = width }
    }

    public struct User: Codable, Sendable, Equatable {
        public var uid: UInt32
        public var gid: UInt32
        /// The process umask; 0022 when unset.
        public var umask: UInt32?
        public var additionalGids: [UInt32]?
        public init(uid: UInt32, gid: UInt32, umask: UInt32? = nil, additionalGids: [UInt32]? = nil) {
            self.uid = uid
            self.gid = gid
            self.umask = umask
            self.additionalGids = additionalGids
        }
    }

    /// Capability names as in `capabilities(7)`, e.g. `CAP_CHOWN`.
    public struct Capabilities: Codable, Sendable, Equatable {
        public var bounding: [String]?
        public var effective: [String]?
        public var inheritable: [String]?
        public var permitted: [String]?
        public var ambient: [String]?
        public init(bounding: [String]? = nil, effective: [String]? = nil, inheritable: [String]? = nil,
                    permitted: [String]? = nil, ambient: [String]? = nil) {
            self.bounding = bounding
            self.effective = effective
            self.inheritable = inheritable
            self.permitted = permitted
            self.ambient = ambient
        }
        /// The same set in bounding, effective and permitted, as Docker configures containers.
        public static func uniform(_ caps: [String]) -> Capabilities {
            Capabilities(bounding: caps, effective: caps, permitted: caps)
        }
    }

    public struct Rlimit: Codable, Sendable, Equatable {
        /// `RLIMIT_NOFILE`, `RLIMIT_NPROC`, …
        public var type: String
        public var hard: UInt64
        public var soft: UInt64
        public init(type: String, hard: UInt64, soft: UInt64) { self.type = type; self.hard = hard; self.soft = soft }
    }

    public struct Hooks: Codable, Sendable, Equatable {
        public var prestart: [Hook]?
        public var createRuntime: [Hook]?
        public var createContainer: [Hook]?
        public var startContainer: [Hook]?
        public var poststart: [Hook]?
        public var poststop: [Hook]?
    }

    public struct Hook: Codable, Sendable, Equatable {
        public var path: String
        public var args: [String]?
        public var env: [String]?
        public var timeout: Int?
    }
}
